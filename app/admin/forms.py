"""Secretariat forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.models import CATEGORIES, CATEGORY_NAMES, GROUP_ROLES, ROLES


class CreateUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    category = SelectField(
        "Stakeholder category", choices=[(c, CATEGORY_NAMES[c]) for c in CATEGORIES]
    )
    role = SelectField("Role", choices=[(r, r.capitalize()) for r in ROLES])
    groups = StringField(
        "Working groups (e.g. wg1:chair, wg2)", validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField("Create account and invitation")


class UploadUsersForm(FlaskForm):
    file = FileField(
        "CSV file (email, name, organisation, category, role, groups)", validators=[FileRequired()]
    )
    submit = SubmitField("Create accounts")


class GroupForm(FlaskForm):
    slug = StringField("Short name (slug)", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Create working group")


class MembershipForm(FlaskForm):
    email = EmailField("Email of the account", validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        "Role in the group",
        choices=[(r, r.replace("_", "-")) for r in GROUP_ROLES] + [("remove", "remove from group")],
    )
    submit = SubmitField("Save")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField("Action", validators=[Optional(), Length(max=64)])
    actor = StringField("Actor email", validators=[Optional(), Length(max=254)])
