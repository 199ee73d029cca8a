"""Ray execution of engine jobs (sharding, prover actors, retries). Never touches the ledger."""
