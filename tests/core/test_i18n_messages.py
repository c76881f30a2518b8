"""Refusals built with values in Python reach a page in the reader's language, and stay English
in the JSON API and on the command line (docs/i18n.md, "Messages built with values")."""

from __future__ import annotations

import ast
import html
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import BadInput, NotFound
from app.core.i18n import N_, NP_, Message, Number, translated

ROOT = Path(__file__).resolve().parents[2]
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
NNBSP = "\u202f"

DOMAIN_ERRORS = {"BadInput", "NotAllowed", "NotFound", "Conflict", "Unauthorised", "TooLarge",
                 "UnsupportedMediaType", "DomainError"}
MARKERS = {"N_", "NP_", "gettext", "_", "_l", "lazy_gettext", "ngettext", "Message", "at_line"}
# English on purpose: the JSON API is the contract (CONTRACT.md section 5), and these refusals
# are the API's own.
ENGLISH_BY_DESIGN = ("app/api/",)
API_ONLY = {("app/record/services.py", name) for name in ("entries", "inclusion",
                                                         "consistency_proof")}


def _unmarked(call: ast.Call, position: int) -> bool:
    """Whether the message argument at `position` is text written in place (a literal, an
    f-string, a % or + of them) instead of a marked message or a value passed on."""
    if len(call.args) <= position:
        return False
    argument = call.args[position]
    if isinstance(argument, ast.Call):
        name = argument.func.id if isinstance(argument.func, ast.Name) else (
            argument.func.attr if isinstance(argument.func, ast.Attribute) else "")
        return name not in MARKERS
    return isinstance(argument, ast.Constant | ast.JoinedStr | ast.BinOp)


def unmarked_refusals() -> list[str]:
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith(ENGLISH_BY_DESIGN) or name.endswith("cli.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exempt = {id(node) for function in ast.walk(tree)
                  if isinstance(function, ast.FunctionDef) and (name, function.name) in API_ONLY
                  for node in ast.walk(function)}
        for node in ast.walk(tree):
            if (not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name)
                    or id(node) in exempt):
                continue
            if True:
                if node.func.id in DOMAIN_ERRORS and _unmarked(node, 0):
                    found.append(f"{name}:{node.lineno}")
                elif node.func.id == "DraftError" and _unmarked(node, 2):
                    found.append(f"{name}:{node.lineno}")
                elif node.func.id == "Message" and node.args and not (
                    isinstance(node.args[0], ast.Call | ast.Attribute | ast.Name | ast.Starred)):
                    found.append(f"{name}:{node.lineno}")
    return sorted(set(found))


def test_every_refusal_a_page_may_show_is_marked_for_translation() -> None:
    """A domain error, a draft file's problem or a Message whose text is written in place
    (an f-string, a literal) would reach a French page in English: mark it with N_ and pass
    its values by name (`BadInput(N_("... %(limit)s ..."), limit=200)`)."""
    assert unmarked_refusals() == []


def test_a_message_is_english_and_translated_for_a_french_reader(app: Any) -> None:
    message = Message(N_("A title may have at most %(limit)s characters."), limit=200)
    assert message == "A title may have at most 200 characters."
    with app.test_request_context(headers=FRENCH):
        assert translated(message) == "Un titre compte au plus 200 caractères."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translated(message) == "A title may have at most 200 characters."


def test_values_that_are_messages_and_numbers_are_written_the_readers_way(app: Any) -> None:
    error = BadInput(N_("%(what)s has %(length)s characters: at most %(limit)s are accepted. "
                        "Shorten it by %(excess)s."),
                     what=Message(N_("The comment")), length=Number(10_500),
                     limit=Number(10_000),
                     excess=Message(*NP_("%(count)s character", "%(count)s characters"), n=500,
                                    count=Number(500)))
    assert error.message == ("The comment has 10,500 characters: at most 10,000 are accepted. "
                             "Shorten it by 500 characters.")
    with app.test_request_context(headers=FRENCH):
        assert translated(error.message) == (
            f"Le commentaire compte 10{NNBSP}500 caractères{NNBSP}: 10{NNBSP}000 au plus sont "
            f"acceptés. Raccourcissez le texte de 500 caractères.")


def test_a_refusal_with_values_is_french_on_the_page_and_english_in_the_api(
    client: Any, create_round: Any
) -> None:
    create_round(1)
    page = client.get("/codes/nope", headers=FRENCH)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 404
    assert "Il n’existe pas de code 'nope'." in text and "There is no code" not in text
    api = client.get("/api/v1/codes/nope/diff?from=1&to=2", headers=FRENCH)
    assert api.status_code == 404 and api.get_json()["error"] == "There is no code 'nope'."


@pytest.mark.parametrize(("url", "french", "english"), [
    ("/codes/demo-code/compare?from=1&to=1", "Choisissez deux versions différentes à comparer.",
     "Pick two different rounds"),
    ("/codes/demo-code/rounds/7", "Il n’y a pas de version 7 de demo-code.",
     "There is no round"),
    ("/codes/demo-code/rounds/1/provisions/nowhere",
     "Il n’y a pas de disposition 'nowhere' dans la version 1.", "There is no provision"),
    ("/codes/demo-code/search?q=x%00", "Le texte ne peut pas contenir de caractère NUL.",
     "Text may not contain"),
])
def test_the_main_refusals_of_the_reading_pages_come_back_in_french(
    client: Any, create_round: Any, url: str, french: str, english: str
) -> None:
    create_round(1)
    create_round(2)
    text = html.unescape(client.get(url, headers=FRENCH).get_data(as_text=True))
    assert '<html lang="fr">' in text
    assert french in text and english not in text


def test_a_service_refusal_without_values_is_still_looked_up(app: Any) -> None:
    with app.test_request_context(headers=FRENCH):
        assert translated(NotFound(N_("There is no such code.")).message) == (
            "Ce code n’existe pas.")
        assert translated("Not in the catalogue.") == "Not in the catalogue."
