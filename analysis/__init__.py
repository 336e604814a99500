"""Benchmark analysis: overlaps, VOT accuracy/robustness/EAO, OTB/GOT-10k metrics, plots and reports.

Every metric states the convention it follows (see ``docs/conventions.md``); defaults reproduce the published numbers.
"""
