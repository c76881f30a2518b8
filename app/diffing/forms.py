"""The compare form: a GET form (no CSRF: it changes nothing) to pick two rounds and filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField

from app.diffing.services import KINDS

VIEWS = (SelectChoice("inline", "Inline redline"), SelectChoice("side", "Side by side"))
SORTS = (SelectChoice("size", "Biggest changes first"), SelectChoice("order", "Document order"))


class CompareForm(FlaskForm):
    class Meta:
        csrf = False

    from_ = SelectField("Earlier round", name="from", coerce=int)
    to = SelectField("Later round", coerce=int)
    group = SelectField("Working group", default="")
    kind = SelectField("Kind of change", default="")
    sort = SelectField("Order", choices=SORTS, default="size")
    view = RadioField("Show changes", choices=VIEWS, default="inline")

    def __init__(self, formdata: Any, rounds: Sequence[Any], groups: Sequence[Any]) -> None:
        super().__init__(formdata=formdata)
        choices = [SelectChoice(r.number, f"Round {r.number}: {r.name}") for r in rounds]
        self.from_.choices = choices
        self.to.choices = choices
        self.group.choices = [SelectChoice("", "All working groups")] + [
            SelectChoice(g.slug, g.name) for g in groups
        ]
        self.kind.choices = [SelectChoice("", "All kinds")] + [
            SelectChoice(k, k.capitalize()) for k in KINDS
        ]
        for select, allowed in ((self.sort, SORTS), (self.view, VIEWS)):
            if select.data not in {choice.value for choice in allowed}:
                select.data = select.default
