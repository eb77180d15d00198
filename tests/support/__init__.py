"""Oracles and file writers shared by the tests (and the benchmarks): independent of bpnn's own code."""
