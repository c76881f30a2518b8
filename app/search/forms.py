"""The search form: a GET form (no CSRF: it changes nothing) with the query and its filters.

The form renders the fields; params.py reads the values (the same for the API).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField

from app.feedback.models import STANCES
from app.search.query import MAX_QUERY

KIND_CHOICES = (SelectChoice("", "Provisions and comments"),
                SelectChoice("provision", "Provisions only"),
                SelectChoice("comment", "Comments only"))  # fmt: skip


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("Words to find", description="Every word must occur; put a phrase in "
                    "\"double quotes\" to find it as written.",
                    render_kw={"maxlength": MAX_QUERY})  # fmt: skip
    round = SelectField("Round", default="")
    group = SelectField("Working group", default="")
    kind = SelectField("Show", choices=KIND_CHOICES, default="")
    stance = SelectField("Stance of comments", default="")

    def __init__(self, formdata: Any, rounds: Sequence[Any], groups: Sequence[Any]) -> None:
        super().__init__(formdata=formdata)
        self.round.choices = [SelectChoice("", "All rounds")] + [
            SelectChoice(str(r.number), f"Round {r.number}: {r.name}") for r in reversed(rounds)
        ]
        self.group.choices = [SelectChoice("", "All working groups")] + [
            SelectChoice(g.slug, g.name) for g in groups
        ]
        self.stance.choices = [SelectChoice("", "Any stance")] + [
            SelectChoice(s, s.capitalize()) for s in STANCES
        ]
