"""Datasets -> commitments -> circuits -> Groth16 proofs. No storage, no Ray: executors are passed in."""
