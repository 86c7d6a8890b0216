"""Benchmarks: ``mechsim bench ...`` (see mechsim.bench.grid for ``bench grid``)."""
