"""Benchmarks that print figures and ratios measured in one run (``python -m bench``); never pass/fail."""
