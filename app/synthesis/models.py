"""Synthesis runs, themes, campaigns and chairs' responses."""
