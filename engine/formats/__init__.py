"""File and wire formats: ZCash compressed points, snarkjs binary (.r1cs .wtns .zkey) and JSON files."""
