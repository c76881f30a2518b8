"""Comments as threads, the way the provision page shows them."""

from __future__ import annotations

from app.feedback.models import Comment


def build_threads(comments: list[Comment]) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments, each with its visible replies (all depths, oldest first)."""
    by_id = {c.id: c for c in comments}

    def root(comment: Comment) -> Comment:
        while comment.parent_id in by_id:
            comment = by_id[comment.parent_id]  # type: ignore[index]
        return comment

    threads: dict[int, tuple[Comment, list[Comment]]] = {}
    for comment in comments:
        top = root(comment)
        threads.setdefault(top.id, (top, []))
        if top is not comment:
            threads[top.id][1].append(comment)
    return list(threads.values())
