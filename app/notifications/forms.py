"""Forms of the notification pages (every POST is a FlaskForm: CSRF is checked everywhere)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from app.notifications.models import EMAIL_MODES, KINDS


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (no JavaScript, each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    kinds = CheckboxesField(
        _l("Tell me when"), choices=[SelectChoice(k, v) for k, v in KINDS.items()],
        validate_choice=True)
    email = RadioField(
        _l("E-mail"), choices=[SelectChoice(k, v) for k, v in EMAIL_MODES.items()],
        validators=[DataRequired(message=_l("Choose how you want to receive e-mail."))])
    submit = SubmitField(_l("Save"))
