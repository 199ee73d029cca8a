"""Reusable circuit gadgets on engine.circuit's builder (hash functions for commitments)."""

from engine.gadgets.poseidon import SpongeCost, permutation, sponge, sponge_cost

__all__ = ["SpongeCost", "permutation", "sponge", "sponge_cost"]
