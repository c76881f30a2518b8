"""A checkbox field that reads a hand-sent "no" as no.

WTForms' BooleanField takes every value but "false" and "" as ticked, so a form sent by a
script with `published=n` or `publish_consent=0` would publish or consent. Browsers send a
ticked box's value (ours: "y") and nothing for an unticked one; these spellings of "no" are
read as unticked too.
"""

from __future__ import annotations

from wtforms import BooleanField

NO = ("false", "", "n", "no", "0", "off")


class Checkbox(BooleanField):
    false_values = NO
