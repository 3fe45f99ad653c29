"""Load tests and benchmarks for newSSEM."""
