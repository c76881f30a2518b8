"""Fixtures of the diffing tests (shared with tests/api/test_diff_api.py)."""

from tests.diffing.story import demo, secretariat, story  # noqa: F401
