"""The GPU check-and-benchmark run (run_all.py) and its parts: one script for a GPU machine."""
