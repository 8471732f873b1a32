"""Benchmarks of the adapters against their raw drivers; run with ``python -m bench``.

Kept out of the default test run (pytest.ini's testpaths is ``contracts tests``):
these print figures, they do not pass or fail on timings.
"""
