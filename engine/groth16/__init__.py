"""Groth16 over BLS12-381: data structures, dev setup, prover, verifier (ark-groth16's split)."""
