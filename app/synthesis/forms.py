"""Forms of the chair workspace (every POST is a FlaskForm: CSRF is checked everywhere)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.feedback.models import DECISION_REASON_LIMIT, DECISIONS
from app.synthesis.models import OUTCOME_NAMES
from app.synthesis.workspace import NOTE_LIMIT, REASON_LIMIT, TITLE_LIMIT


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (no JavaScript, each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RunForm(FlaskForm):
    scope = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Run synthesis")


class RenameForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=TITLE_LIMIT)])
    submit = SubmitField("Rename")


class NoteForm(FlaskForm):
    note = TextAreaField("Note for the chairs", validators=[Length(max=NOTE_LIMIT)])
    submit = SubmitField("Save note")


class RelevanceForm(FlaskForm):
    not_relevant = HiddenField(validators=[DataRequired()])
    confirm = HiddenField()  # "1" once the chair has confirmed (marking not relevant)
    submit = SubmitField("Mark as not relevant")


class MergeForm(FlaskForm):
    target = SelectField("Merge this theme into", coerce=int)
    confirm = HiddenField()  # "1" once the chair has confirmed
    submit = SubmitField("Merge")


class SplitForm(FlaskForm):
    submit = SubmitField("Split in two")


class MoveForm(FlaskForm):
    target = SelectField("Move to", coerce=int)
    campaign = HiddenField()  # "1": move every letter of the comment's campaign in this theme
    submit = SubmitField("Move")


class RespondForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(k, v) for k, v in OUTCOME_NAMES.items()],
        validators=[DataRequired(message="Choose an outcome.")],
    )
    reason = TextAreaField(
        "Reason", validators=[DataRequired(message="Give a reason."), Length(max=REASON_LIMIT)]
    )
    provisions = CheckboxesField(
        "Provisions of the next round that changed because of it", choices=[], validate_choice=True
    )
    published = BooleanField(
        "Show on the public register once the consultation has closed", default=True
    )
    submit = SubmitField("Save response")


class CodebookForm(FlaskForm):
    title = StringField("Theme title", validators=[DataRequired(), Length(max=TITLE_LIMIT)])
    description = StringField("One-line description", validators=[Length(max=NOTE_LIMIT)])
    submit = SubmitField("Add to codebook")


class DecisionForm(FlaskForm):
    """One proposal's decision, compact enough to repeat for every proposal of a scope."""

    decision = RadioField(
        "Decision",
        choices=[SelectChoice(k, OUTCOME_NAMES[k]) for k in DECISIONS],
        validators=[DataRequired(message="Choose accepted, partly accepted or not taken up.")],
    )
    reason = TextAreaField(
        "Reason", validators=[Length(max=DECISION_REASON_LIMIT)],
        description="Required for partly accepted and not taken up; shown to the author.",
    )
    # Where to go back to on the proposals page (checked there, never a free URL).
    group = HiddenField()
    provision = HiddenField()
    show = HiddenField()
    page = HiddenField()
    submit = SubmitField("Save decision")
