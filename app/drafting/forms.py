"""Secretariat forms of the drafting domain (every POST is a FlaskForm: CSRF everywhere)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateTimeLocalField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Optional

from app.drafting.models import VISIBILITIES

VISIBILITY_NAMES = {
    "internal": "Internal: the secretariat and the chairs",
    "plenary": "Plenary: every registered participant",
    "public": "Public: everyone",
}
MAX_DRAFT_BYTES = 2 * 1024 * 1024


class UploadRoundForm(FlaskForm):
    file = FileField("Round file (Markdown with front matter)", validators=[FileRequired()])
    submit = SubmitField("Import the round")


class VisibilityForm(FlaskForm):
    visibility = SelectField(
        "Who may see this round", choices=[(v, VISIBILITY_NAMES[v]) for v in VISIBILITIES]
    )
    submit = SubmitField("Save visibility")


# Times to the minute: a browser refuses a value with seconds where the field's step is 60.
MINUTES = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class WindowForm(FlaskForm):
    opens = DateTimeLocalField("Opens (UTC)", format=MINUTES, validators=[Optional()],
                               render_kw={"step": 60})
    closes = DateTimeLocalField("Closes (UTC)", format=MINUTES, validators=[Optional()],
                                render_kw={"step": 60})
    clear = BooleanField("No consultation for this round")
    submit = SubmitField("Save consultation window")


class CorrectionForm(FlaskForm):
    source = SelectField("Provision of the previous round", validators=[DataRequired()])
    targets = SelectMultipleField(
        "What it became in this round (none selected: removed)", validators=[Optional()]
    )
    submit = SubmitField("Correct the link")
