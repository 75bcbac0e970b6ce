"""Benchmarks run by ``make bench`` (``python -m bench``), never by the test suite.

Each public module (name not starting with ``_``) exposes ``run()``, which returns
``(name, value)`` pairs that ``bench.__main__`` prints as ``BENCH <name> <value>``.
Modules whose name starts with ``_`` are helpers, often run as their own process.
"""
