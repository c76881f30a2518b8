"""Secretariat forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.models import (
    CATEGORIES,
    CATEGORY_NAMES,
    GROUP_ROLE_NAMES,
    GROUP_ROLES,
    ROLE_NAMES,
    ROLES,
    WorkingGroup,
)


class CreateUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    category = SelectField(
        _l("Stakeholder category"), choices=[(c, CATEGORY_NAMES[c]) for c in CATEGORIES]
    )
    role = SelectField(_l("Role"), choices=[(r, ROLE_NAMES[r]) for r in ROLES])
    submit = SubmitField(_l("Create account and invitation"))


class AccountForm(FlaskForm):
    role = SelectField(_l("Role on the platform"), choices=[(r, ROLE_NAMES[r]) for r in ROLES])
    submit = SubmitField(_l("Save role and working groups"))


def with_group_roles(form_class: type[FlaskForm], groups: list[WorkingGroup]) -> type[FlaskForm]:
    """`form_class` with one "role in this working group" choice per group (none, member,
    chair, vice-chair): membership is chosen from the groups that exist, never typed."""

    class WithGroups(form_class):  # type: ignore[valid-type, misc]
        pass

    for group in groups:
        setattr(WithGroups, f"group_{group.id}", SelectField(
            group.name, choices=[("", _l("Not a member")), *GROUP_ROLE_NAMES.items()],
            validators=[Optional()], default=""))
    return WithGroups


def group_roles(form: FlaskForm, groups: list[WorkingGroup]) -> dict[WorkingGroup, str | None]:
    """The role chosen for each group (None: not a member)."""
    return {g: (form[f"group_{g.id}"].data or None) for g in groups}


class UploadUsersForm(FlaskForm):
    file = FileField(
        _l("CSV file (email, name, organisation, category, role, groups)"),
        validators=[FileRequired()],
    )
    submit = SubmitField(_l("Create accounts"))


class GroupForm(FlaskForm):
    slug = StringField(_l("Short name (slug)"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Create working group"))


class MembershipForm(FlaskForm):
    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("Role in the group"),
        choices=[(r, GROUP_ROLE_NAMES[r]) for r in GROUP_ROLES]
        + [("remove", _l("Remove from the group"))],
    )
    submit = SubmitField(_l("Save"))


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, email or organisation"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[("", _l("Any role")), *ROLE_NAMES.items()],
                       validators=[Optional()])
    group = SelectField(_l("Working group"), choices=[("", _l("Any group"))],
                        validators=[Optional()])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)])
    actor = StringField(_l("Actor email"), validators=[Optional(), Length(max=254)])
