"""The compare form: a GET form (no CSRF: it changes nothing) to pick two rounds and filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField

from app.diffing.services import KINDS
from app.drafting.blueprint import link_kind_name

VIEWS = (SelectChoice("inline", _l("Inline redline")), SelectChoice("side", _l("Side by side")))
SORTS = (SelectChoice("size", _l("Biggest changes first")),
         SelectChoice("order", _l("Document order")))


class CompareForm(FlaskForm):
    class Meta:
        csrf = False

    from_ = SelectField(_l("Earlier round"), name="from", coerce=int)
    to = SelectField(_l("Later round"), coerce=int)
    group = SelectField(_l("Working group"), default="")
    kind = SelectField(_l("Kind of change"), default="")
    sort = SelectField(_l("Order"), choices=SORTS, default="size")
    view = RadioField(_l("Show changes"), choices=VIEWS, default="inline")

    def __init__(self, formdata: Any, rounds: Sequence[Any], groups: Sequence[Any]) -> None:
        super().__init__(formdata=formdata)
        choices = [SelectChoice(r.number, gettext("Round %(number)s: %(name)s", number=r.number,
                                                     name=r.name)) for r in rounds]
        self.from_.choices = choices
        self.to.choices = choices
        self.group.choices = [SelectChoice("", gettext("All working groups"))] + [
            SelectChoice(g.slug, g.name) for g in groups
        ]
        self.kind.choices = [SelectChoice("", gettext("All kinds"))] + [
            SelectChoice(k, link_kind_name(k).capitalize()) for k in KINDS
        ]
        for select, allowed in ((self.sort, SORTS), (self.view, VIEWS)):
            if select.data not in {choice.value for choice in allowed}:
                select.data = select.default
