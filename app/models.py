"""Every model, imported so that the metadata (migrations, tests) knows all tables."""

from app.accounts.models import ApiToken, Invitation, Membership, User, WorkingGroup
from app.core.audit import AuditEvent
from app.diffing.models import StoredDiff, StoredPairing
from app.drafting.models import (
    Code,
    LineageCorrection,
    LineageLink,
    LineageTarget,
    Provision,
    Round,
)
from app.embedding.models import EmbeddingCache
from app.feedback.models import Comment, CommentCarry
from app.notifications.models import Notification, NotificationSettings
from app.record.models import LogEntry, LogHead, LogKey, LogNode, LogState
from app.search.models import SearchEntry
from app.synthesis import models as _synthesis_models  # noqa: F401

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Code",
    "Comment",
    "EmbeddingCache",
    "CommentCarry",
    "Invitation",
    "LineageCorrection",
    "LineageLink",
    "LineageTarget",
    "LogEntry",
    "LogHead",
    "LogKey",
    "LogNode",
    "LogState",
    "Membership",
    "Notification",
    "NotificationSettings",
    "Provision",
    "Round",
    "SearchEntry",
    "StoredDiff",
    "StoredPairing",
    "User",
    "WorkingGroup",
]
