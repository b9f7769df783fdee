"""The hostile-input suite shares the session's Prefect harness (tests/conftest.py)."""
