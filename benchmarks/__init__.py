"""Benchmarks: one command each, printing ratios against the competition measured in the same run."""
