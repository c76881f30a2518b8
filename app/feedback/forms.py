"""Feedback forms (every POST is a FlaskForm, so CSRF is checked everywhere)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from app.feedback.limits import length_problem, normalise_text
from app.feedback.models import BODY_LIMIT, HIDE_REASON_LIMIT, PROPOSAL_LIMIT, STANCES

STANCE_CHOICES = [
    ("support", "Support"),
    ("oppose", "Oppose"),
    ("amend", "Amend (propose wording)"),
    ("question", "Question"),
    ("neutral", "Neutral remark"),
]
assert [value for value, _ in STANCE_CHOICES] == list(STANCES)


class Limit:
    """Refuses a text longer than `limit` characters (counted as the services count them) with
    a message naming the limit. Unlike wtforms' Length it sets no `maxlength`, so a browser
    never cuts what someone pastes: they see the count (feedback.js) and shorten it."""

    def __init__(self, what: str, limit: int):
        self.what, self.limit = what, limit

    def __call__(self, form: FlaskForm, field: TextAreaField) -> None:
        problem = length_problem(self.what, field.name, normalise_text(field.data), self.limit)
        if problem is not None:
            raise ValidationError(f"{problem.message} Your text is kept here.")


def _stance_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in STANCE_CHOICES]


CONSENT_LABEL = (
    "Publish this comment with my name and organisation "
    "(otherwise only the chairs of the working group and the secretariat see it)"
)


class CommentForm(FlaskForm):
    stance = SelectField("Your stance", choices=_stance_choices, default="amend")
    body = TextAreaField(
        f"Your comment (up to {BODY_LIMIT:,} characters)",
        validators=[DataRequired(message="Write a comment."), Limit("Your comment", BODY_LIMIT)],
        render_kw={"data-maxlength": BODY_LIMIT},
    )
    proposed_text = TextAreaField(
        f"Proposed wording, optional (up to {PROPOSAL_LIMIT:,} characters)",
        validators=[Optional(), Limit("Your proposed wording", PROPOSAL_LIMIT)],
        render_kw={"data-maxlength": PROPOSAL_LIMIT},
    )
    publish_consent = BooleanField(CONSENT_LABEL)
    quote_exact = HiddenField()
    quote_prefix = HiddenField()
    quote_suffix = HiddenField()
    quote_start = HiddenField()
    quote_end = HiddenField()
    submit = SubmitField("Send comment")

    def quote(self) -> dict[str, str | None] | None:
        if not (self.quote_exact.data or "").strip():
            return None
        return {
            "exact": self.quote_exact.data,
            "prefix": self.quote_prefix.data,
            "suffix": self.quote_suffix.data,
            "start": self.quote_start.data,
            "end": self.quote_end.data,
        }


class ReplyForm(FlaskForm):
    body = TextAreaField(
        f"Your reply (up to {BODY_LIMIT:,} characters)",
        validators=[DataRequired(message="Write a reply."), Limit("Your reply", BODY_LIMIT)],
        render_kw={"data-maxlength": BODY_LIMIT},
    )
    publish_consent = BooleanField(CONSENT_LABEL)
    submit = SubmitField("Reply")


class EditCommentForm(FlaskForm):
    stance = SelectField("Your stance", choices=_stance_choices)
    body = TextAreaField(
        f"Your comment (up to {BODY_LIMIT:,} characters)",
        validators=[DataRequired(message="Write a comment."), Limit("Your comment", BODY_LIMIT)],
        render_kw={"data-maxlength": BODY_LIMIT},
    )
    proposed_text = TextAreaField(
        f"Proposed wording, optional (up to {PROPOSAL_LIMIT:,} characters)",
        validators=[Optional(), Limit("Your proposed wording", PROPOSAL_LIMIT)],
        render_kw={"data-maxlength": PROPOSAL_LIMIT},
    )
    publish_consent = BooleanField(CONSENT_LABEL)
    submit = SubmitField("Save changes")


class HideForm(FlaskForm):
    reason = TextAreaField(
        "Reason for hiding (recorded in the audit log)",
        validators=[DataRequired(message="Give a reason."), Limit("The reason", HIDE_REASON_LIMIT)],
        render_kw={"data-maxlength": HIDE_REASON_LIMIT},
    )
    submit = SubmitField("Hide comment")


class ImportForm(FlaskForm):
    file = FileField(
        "Feedback file (JSON Lines or CSV)",
        validators=[
            FileRequired(),
            FileAllowed(["jsonl", "json", "csv"], "A .jsonl or .csv file."),
        ],
    )
    submit = SubmitField("Import")
