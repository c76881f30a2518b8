"""Account forms (every POST is a FlaskForm, so CSRF is checked everywhere)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.accounts.services import MAX_PASSWORD, MIN_PASSWORD
from app.core.checkbox import Checkbox


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    remember = Checkbox(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Log in"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password (at least %(minimum)s characters)", minimum=MIN_PASSWORD),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))


class ActionForm(FlaskForm):
    """A one-button form: it carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    understood = Checkbox(
        _l("I understand that my account is closed for good; my comments stay, without my name"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))
