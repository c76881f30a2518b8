"""Feedback forms (every POST is a FlaskForm, so CSRF is checked everywhere)."""

from __future__ import annotations

from flask_babel import LazyString, format_decimal, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
    StopValidation,
    ValidationError,
)

from app.core.checkbox import Checkbox
from app.feedback.limits import blank, normalise_text
from app.feedback.models import BODY_LIMIT, HIDE_REASON_LIMIT, PROPOSAL_LIMIT, STANCES

STANCE_CHOICES = [
    ("support", _l("Support")),
    ("oppose", _l("Oppose")),
    ("amend", _l("Amend (propose wording)")),
    ("question", _l("Question")),
    ("neutral", _l("Neutral remark")),
]
assert [value for value, _ in STANCE_CHOICES] == list(STANCES)


def _number(value: int) -> LazyString:
    """A number written as the reader's language writes it, when a label is shown."""
    return LazyString(lambda: format_decimal(value))


class Shows:
    """Refuses a text that shows nothing (spaces, a zero-width space: see limits.blank)."""

    def __init__(self, message: LazyString):
        self.message = message

    def __call__(self, form: FlaskForm, field: TextAreaField) -> None:
        if blank(normalise_text(field.data)):
            raise StopValidation(str(self.message))


class Limit:
    """Refuses a text longer than `limit` characters (counted as the services count them) with
    a message naming the limit. Unlike wtforms' Length it sets no `maxlength`, so a browser
    never cuts what someone pastes: they see the count (feedback.js) and shorten it. The
    message is the page's (in the reader's language); the API says the services' English."""

    def __init__(self, what: LazyString, limit: int):
        self.what, self.limit = what, limit

    def __call__(self, form: FlaskForm, field: TextAreaField) -> None:
        length = len(normalise_text(field.data))
        if length <= self.limit:
            return
        raise ValidationError(ngettext(
            "%(what)s has %(length)s characters: at most %(limit)s are accepted. Shorten it by "
            "%(excess)s character. Your text is kept here.",
            "%(what)s has %(length)s characters: at most %(limit)s are accepted. Shorten it by "
            "%(excess)s characters. Your text is kept here.",
            length - self.limit, what=self.what, length=format_decimal(length),
            limit=format_decimal(self.limit), excess=format_decimal(length - self.limit)))


def _stance_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in STANCE_CHOICES]


def _new_stance_choices() -> list[SelectChoice]:
    """A new comment's stances, none chosen beforehand: a stance the form picked would count
    as the participant's in every stance bar."""
    return [SelectChoice("", _l("Choose your stance…")), *_stance_choices()]


CONSENT_LABEL = _l(
    "Publish this comment with my name and organisation "
    "(otherwise only the chairs of the working group and the secretariat see it)"
)


class CommentForm(FlaskForm):
    stance = SelectField(_l("Your stance"), choices=_new_stance_choices,
                         validators=[InputRequired(message=_l("Choose a stance."))])
    body = TextAreaField(
        _l("Your comment (up to %(limit)s characters)", limit=_number(BODY_LIMIT)),
        validators=[DataRequired(message=_l("Write a comment.")),
                    Limit(_l("Your comment"), BODY_LIMIT)],
        render_kw={"data-maxlength": BODY_LIMIT},
    )
    proposed_text = TextAreaField(
        _l("Proposed wording, optional (up to %(limit)s characters)",
           limit=_number(PROPOSAL_LIMIT)),
        validators=[Optional(), Limit(_l("Your proposed wording"), PROPOSAL_LIMIT)],
        render_kw={"data-maxlength": PROPOSAL_LIMIT},
    )
    publish_consent = Checkbox(CONSENT_LABEL)
    quote_exact = HiddenField()
    quote_prefix = HiddenField()
    quote_suffix = HiddenField()
    quote_start = HiddenField()
    quote_end = HiddenField()
    submit = SubmitField(_l("Send comment"))

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
        _l("Your reply (up to %(limit)s characters)", limit=_number(BODY_LIMIT)),
        validators=[DataRequired(message=_l("Write a reply.")),
                    Limit(_l("Your reply"), BODY_LIMIT)],
        render_kw={"data-maxlength": BODY_LIMIT},
    )
    publish_consent = Checkbox(CONSENT_LABEL)
    submit = SubmitField(_l("Reply"))


class EditCommentForm(FlaskForm):
    stance = SelectField(_l("Your stance"), choices=_stance_choices)  # none sent: kept
    body = TextAreaField(
        _l("Your comment (up to %(limit)s characters)", limit=_number(BODY_LIMIT)),
        validators=[DataRequired(message=_l("Write a comment.")),
                    Limit(_l("Your comment"), BODY_LIMIT)],
        render_kw={"data-maxlength": BODY_LIMIT},
    )
    proposed_text = TextAreaField(
        _l("Proposed wording, optional (up to %(limit)s characters)",
           limit=_number(PROPOSAL_LIMIT)),
        validators=[Optional(), Limit(_l("Your proposed wording"), PROPOSAL_LIMIT)],
        render_kw={"data-maxlength": PROPOSAL_LIMIT},
    )
    publish_consent = Checkbox(CONSENT_LABEL)
    submit = SubmitField(_l("Save changes"))


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for hiding (recorded in the audit log)"),
        validators=[Shows(_l("Give a reason.")), Limit(_l("The reason"), HIDE_REASON_LIMIT)],
        render_kw={"data-maxlength": HIDE_REASON_LIMIT},
    )
    submit = SubmitField(_l("Hide comment"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Feedback file (JSON Lines or CSV)"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["jsonl", "json", "csv"], _l("A .jsonl or .csv file.")),
        ],
    )
    submit = SubmitField(_l("Import"))
