"""Benchmarks: solver and grid comparisons against diffrax, scipy and libRoadRunner."""
