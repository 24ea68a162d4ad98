"""Self-healing coverage: find the gaps the warehouse already knows about (gaps.py),
decide what to ask for within a retry budget (plan.py), and ask Dagster (sensor.py)."""
