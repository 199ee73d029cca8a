"""Benchmarks: pytest-benchmark suites (bench_*.py) and the end-to-end runner (runner.py)."""
