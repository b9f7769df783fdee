"""Prefect flows and runs: the pipeline flows, task runners, run recording and the store lock."""
