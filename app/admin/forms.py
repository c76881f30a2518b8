"""Secretariat forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.models import CATEGORIES, CATEGORY_NAMES, GROUP_ROLES, ROLES, WorkingGroup

GROUP_ROLE_NAMES = {"member": "Member", "chair": "Chair", "vice_chair": "Vice-chair"}
ROLE_NAMES = {"participant": "Participant", "secretariat": "Secretariat"}


class CreateUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    category = SelectField(
        "Stakeholder category", choices=[(c, CATEGORY_NAMES[c]) for c in CATEGORIES]
    )
    role = SelectField("Role", choices=[(r, ROLE_NAMES[r]) for r in ROLES])
    submit = SubmitField("Create account and invitation")


class AccountForm(FlaskForm):
    role = SelectField("Role on the platform", choices=[(r, ROLE_NAMES[r]) for r in ROLES])
    submit = SubmitField("Save role and working groups")


def with_group_roles(form_class: type[FlaskForm], groups: list[WorkingGroup]) -> type[FlaskForm]:
    """`form_class` with one "role in this working group" choice per group (none, member,
    chair, vice-chair): membership is chosen from the groups that exist, never typed."""

    class WithGroups(form_class):  # type: ignore[valid-type, misc]
        pass

    for group in groups:
        setattr(WithGroups, f"group_{group.id}", SelectField(
            group.name, choices=[("", "Not a member"), *GROUP_ROLE_NAMES.items()],
            validators=[Optional()], default=""))
    return WithGroups


def group_roles(form: FlaskForm, groups: list[WorkingGroup]) -> dict[WorkingGroup, str | None]:
    """The role chosen for each group (None: not a member)."""
    return {g: (form[f"group_{g.id}"].data or None) for g in groups}


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


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name, email or organisation", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=[("", "Any role"), *ROLE_NAMES.items()],
                       validators=[Optional()])
    group = SelectField("Working group", choices=[("", "Any group")], validators=[Optional()])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField("Action", validators=[Optional(), Length(max=64)])
    actor = StringField("Actor email", validators=[Optional(), Length(max=254)])
