"""Benchmarks: speed and quality measurements that are not tests."""
