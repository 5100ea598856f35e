"""Reliability tests (issue 7): many clients at once, killed processes, tampered records, file modes."""
