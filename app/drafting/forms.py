"""Secretariat forms of the drafting domain (every POST is a FlaskForm: CSRF everywhere)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Optional

from app.core.checkbox import Checkbox
from app.drafting.models import VISIBILITIES

VISIBILITY_NAMES = {
    "internal": _l("Internal: the secretariat and the chairs"),
    "plenary": _l("Plenary: every registered participant"),
    "public": _l("Public: everyone"),
}
MAX_DRAFT_BYTES = 2 * 1024 * 1024


class UploadRoundForm(FlaskForm):
    file = FileField(_l("Round file (Markdown with front matter)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import the round"))


class VisibilityForm(FlaskForm):
    visibility = SelectField(
        _l("Who may see this round"), choices=[(v, VISIBILITY_NAMES[v]) for v in VISIBILITIES]
    )
    submit = SubmitField(_l("Save visibility"))


# Times to the minute: a browser refuses a value with seconds where the field's step is 60.
MINUTES = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class WindowForm(FlaskForm):
    opens = DateTimeLocalField(_l("Opens (UTC)"), format=MINUTES, validators=[Optional()],
                               render_kw={"step": 60})
    closes = DateTimeLocalField(_l("Closes (UTC)"), format=MINUTES, validators=[Optional()],
                                render_kw={"step": 60})
    clear = Checkbox(_l("No consultation for this round"))
    submit = SubmitField(_l("Save consultation window"))


class CorrectionForm(FlaskForm):
    source = SelectField(_l("Provision of the previous round"), validators=[DataRequired()])
    targets = SelectMultipleField(
        _l("What it became in this round (none selected: removed)"), validators=[Optional()]
    )
    submit = SubmitField(_l("Correct the link"))
