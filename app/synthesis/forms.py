"""Forms of the chair workspace (every POST is a FlaskForm: CSRF is checked everywhere)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
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

from app.core.checkbox import Checkbox
from app.feedback.forms import Limit, Shows
from app.feedback.models import DECISION_REASON_LIMIT, DECISIONS
from app.synthesis.models import OUTCOME_LABELS, OUTCOMES
from app.synthesis.workspace import NOTE_LIMIT, REASON_LIMIT, TITLE_LIMIT


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (no JavaScript, each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RunForm(FlaskForm):
    scope = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Run synthesis"))


class RenameForm(FlaskForm):
    # No maxlength in the browser (it cuts what is pasted): the server refuses an over-long
    # text and shows it again (Limit); the textareas count characters (feedback.js).
    title = StringField(_l("Title"), validators=[Optional(), Limit(_l("The title"), TITLE_LIMIT)])
    submit = SubmitField(_l("Rename"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note for the chairs"), validators=[Limit(_l("The note"), NOTE_LIMIT)],
                         render_kw={"data-maxlength": NOTE_LIMIT})
    submit = SubmitField(_l("Save note"))


class RelevanceForm(FlaskForm):
    not_relevant = HiddenField(validators=[DataRequired()])
    confirm = HiddenField()  # "1" once the chair has confirmed (marking not relevant)
    submit = SubmitField(_l("Mark as not relevant"))


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge this theme into"), coerce=int)
    confirm = HiddenField()  # "1" once the chair has confirmed
    submit = SubmitField(_l("Merge"))


class SplitForm(FlaskForm):
    size = HiddenField()  # the theme's size when the page showed it: a stale form splits nothing
    submit = SubmitField(_l("Split in two"))


class MoveForm(FlaskForm):
    target = SelectField(_l("Move to"), coerce=int)
    campaign = HiddenField()  # "1": move every letter of the comment's campaign in this theme
    submit = SubmitField(_l("Move"))


class RespondForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(k, _l(OUTCOME_LABELS[k])) for k in OUTCOMES],
        validators=[DataRequired(message=_l("Choose an outcome."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Give a reason.")), Shows(_l("Give a reason.")),
                    Limit(_l("The reason"), REASON_LIMIT)],
        render_kw={"data-maxlength": REASON_LIMIT},
    )
    provisions = CheckboxesField(
        _l("Provisions of the next round that changed because of it"), choices=[],
        validate_choice=True,
    )
    published = Checkbox(
        _l("Show on the public register once the consultation has closed"), default=True
    )
    submit = SubmitField(_l("Save response"))


class CodebookForm(FlaskForm):
    title = StringField(_l("Theme title"), validators=[
        DataRequired(), Shows(_l("Give the theme a title.")), Length(max=TITLE_LIMIT)])
    description = StringField(_l("One-line description"), validators=[Length(max=NOTE_LIMIT)])
    submit = SubmitField(_l("Add to codebook"))


class DecisionForm(FlaskForm):
    """One proposal's decision, compact enough to repeat for every proposal of a scope."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(k, _l(OUTCOME_LABELS[k])) for k in DECISIONS],
        validators=[DataRequired(message=_l("Choose accepted, partly accepted or not taken up."))],
    )
    reason = TextAreaField(
        _l("Reason"), validators=[Length(max=DECISION_REASON_LIMIT)],
        description=_l("Required for partly accepted and not taken up; shown to the author."),
    )
    # Where to go back to on the proposals page (checked there, never a free URL).
    group = HiddenField()
    provision = HiddenField()
    show = HiddenField()
    page = HiddenField()
    submit = SubmitField(_l("Save decision"))
