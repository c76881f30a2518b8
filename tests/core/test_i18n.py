"""French and English: every interface string is marked and translated, the language follows
the browser or the reader's choice, and pages say which language they are in."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "fr" / "LC_MESSAGES"
METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None, "NP_": (1, 2)}


def marked_strings() -> set[str]:
    """Every string the code and the templates mark for translation (as `make translations`
    extracts them)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def french() -> dict[str, Any]:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale="fr")
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def test_every_marked_string_has_a_french_translation() -> None:
    catalogue = french()
    missing = sorted(s for s in marked_strings()
                     if s not in catalogue or not catalogue[s].string
                     or (isinstance(catalogue[s].string, tuple) and not all(catalogue[s].string))
                     or "fuzzy" in catalogue[s].flags)
    assert missing == [], f"{len(missing)} strings without French: {missing[:20]}"


def _text(string: Any) -> Any:
    """A translation as one comparable value (plural forms as a tuple)."""
    return string if isinstance(string, str) else tuple(string)


def test_the_compiled_catalogue_is_up_to_date() -> None:
    """app/translations/fr/LC_MESSAGES/messages.mo is what `pybabel compile` makes of the .po
    (run `make translations` after changing it)."""
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {(m.id if isinstance(m.id, str) else m.id[0]): _text(m.string)
                    for m in read_mo(io.BytesIO(handle.read())) if m.id}
    source = {key: _text(m.string) for key, m in french().items() if m.string}
    assert compiled == source


def test_a_french_browser_gets_the_interface_in_french(client: Any) -> None:
    page = client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text and "Se connecter" in text and ">Log in<" not in text
    english = client.get("/", headers={"Accept-Language": "de,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english


def test_the_language_chosen_is_remembered_in_a_cookie(client: Any, auth: Any) -> None:
    token = auth.csrf_token("/")
    answer = client.post("/language", data={"language": "fr", "next": "/login",
                                             "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert "plenary_lang=fr" in answer.headers["Set-Cookie"]
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page  # the choice wins over the browser
    refused = client.post("/language", data={"language": "xx", "csrf_token": token})
    assert refused.status_code == 400
    elsewhere = client.post("/language", data={"language": "en", "next": "//evil.example",
                                               "csrf_token": token})
    assert elsewhere.headers["Location"] == "/"
