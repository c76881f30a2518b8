"""The search form: a GET form (no CSRF: it changes nothing) with the query and its filters.

The form renders the fields; params.py reads the values (the same for the API).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField

from app.feedback.models import STANCES
from app.feedback.names import stance_label
from app.search.query import MAX_QUERY

KIND_CHOICES = (SelectChoice("", _l("Provisions and comments")),
                SelectChoice("provision", _l("Provisions only")),
                SelectChoice("comment", _l("Comments only")))  # fmt: skip


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Words to find"), description=_l("Every word must occur; put a phrase in "
                    "\"double quotes\" to find it as written."),
                    render_kw={"maxlength": MAX_QUERY})  # fmt: skip
    round = SelectField(_l("Round"), default="")
    group = SelectField(_l("Working group"), default="")
    kind = SelectField(_l("Show"), choices=KIND_CHOICES, default="")
    stance = SelectField(_l("Stance of comments"), default="")

    def __init__(self, formdata: Any, rounds: Sequence[Any], groups: Sequence[Any]) -> None:
        super().__init__(formdata=formdata)
        self.round.choices = [SelectChoice("", gettext("All rounds"))] + [
            SelectChoice(str(r.number), gettext("Round %(number)s: %(name)s",
                                                number=r.number, name=r.name))
            for r in reversed(rounds)
        ]
        self.group.choices = [SelectChoice("", gettext("All working groups"))] + [
            SelectChoice(g.slug, g.name) for g in groups
        ]
        self.stance.choices = [SelectChoice("", gettext("Any stance"))] + [
            SelectChoice(s, stance_label(s)) for s in STANCES
        ]
