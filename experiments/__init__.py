"""Experiment runners: each answers a strategist's question with a sweep, a summary table,
comparison plots and a report (``python -m experiments.NAME key=value ...``)."""
