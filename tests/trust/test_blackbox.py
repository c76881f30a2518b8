"""A black-box walk over every route, as an attacker with only the route list would make it.

gunicorn (2 workers) serves a fresh database built by `plenary db upgrade`. A seeding script
plants marker strings where only some may look: in an internal round, in a plenary round, and
in private and hidden comments. Then every rule of the app's route table and every path of the
OpenAPI description is requested by six roles (the public, a participant outside every group,
a member of wg1, wg1's chair, the author of the private comments, the secretariat) with every
id, key and round the seed made, with a few query strings each, and POSTs carry a valid CSRF
token and an empty form. No response to a role may contain a marker that role may not see:
a new route cannot leak without failing here.

The same server also answers the reads that once wrote (the chairs' CSV export, the
secretariat's pages) while four clients post comments: not a single 503.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bench import loadkit

pytestmark = pytest.mark.slow

requests = pytest.importorskip("requests")
PASSWORD = "black-box-password-1"  # noqa: S105  (a throwaway database)

# Who may see each marker (the test's own statement of the rules, not the app's).
ROLES = ("public", "outsider", "member", "chair", "author", "secretariat")
MARKERS = {
    "INTERNALMARK": {"chair", "secretariat"},  # round 3 is internal: secretariat and chairs
    "PLENARYMARK": {"outsider", "member", "chair", "author", "secretariat"},  # signed in
    "PRIVATEMARKONE": {"author", "chair", "secretariat"},  # private, on wg1's provision
    "PRIVATEMARKTWO": {"author", "secretariat"},  # private, on wg2's provision
    "HIDDENMARK": {"author", "chair", "secretariat"},  # consented but hidden, wg1
}

SEED = r'''
import datetime as dt, json, sys, tempfile
from pathlib import Path
from app import create_app
from app.accounts import services as accounts
from app.core.db import db
from app.drafting import importer
from app.drafting.services import get_round, set_window
from app.feedback import services as feedback
from app.synthesis.services import run_synthesis
from app.drafting.models import Provision
from app.feedback.models import Comment
from app.synthesis.models import SynthesisRun, Theme
args = json.loads(sys.stdin.read())
app = create_app({"PLENARY_FAKE_EMBEDDER": True})
ROUND = """---
code: bb
title: Black box code
round: {n}
name: {name}
visibility: {visibility}
levels: [chapter, measure]
---

# {chapter} {{#chapter-{n} wg=wg1}}

## Measure {n}.1: {title} {{#m-shared}}

Signatories shall keep records of {words} for ten years.

# Other chapter {{#other-{n} wg=wg2}}

## Measure {n}.2: Other measure {{#m-other}}

Signatories shall publish {words} every year.
"""
with app.app_context():
    wg1 = accounts.create_group("wg1", "Working group one")
    wg2 = accounts.create_group("wg2", "Working group two")
    people = {
        "outsider": accounts.create_user("outsider@bb.example", "Olly Outsider"),
        "member": accounts.create_user("member@bb.example", "Mo Member",
                                       groups=[("wg1", "member")]),
        "chair": accounts.create_user("chair@bb.example", "Cy Chair", groups=[("wg1", "chair")]),
        "author": accounts.create_user("author@bb.example", "Ada Author"),
        "secretariat": accounts.create_user("sec@bb.example", "Sol Secretariat",
                                            role="secretariat"),
    }
    for user in people.values():
        accounts.set_password(user, args["password"])
    folder = Path(tempfile.mkdtemp())
    rounds = [(1, "First draft", "public", "Transparency", "Records", "model cards"),
              (2, "Second draft PLENARYMARK", "plenary", "Transparency PLENARYMARK",
               "Records PLENARYMARK", "plenary model cards PLENARYMARK"),
              (3, "Third draft INTERNALMARK", "internal", "Transparency INTERNALMARK",
               "Records INTERNALMARK", "internal cards INTERNALMARK")]
    for n, name, visibility, chapter, title, words in rounds:
        (folder / f"{n}.md").write_text(ROUND.format(n=n, name=name, visibility=visibility,
                                                     chapter=chapter, title=title, words=words))
    now = dt.datetime.now(dt.UTC)
    secretariat = people["secretariat"]
    importer.import_round((folder / "1.md").read_text(), "1.md", actor=secretariat)
    one = get_round("bb", 1, check=False)
    set_window(one, now - dt.timedelta(days=10), now - dt.timedelta(days=1), secretariat)
    importer.import_round((folder / "2.md").read_text(), "2.md", actor=secretariat)
    two = get_round("bb", 2, check=False)
    set_window(two, now - dt.timedelta(days=1), now + dt.timedelta(days=9), secretariat)

    def comment(round_, key, body, **fields):
        provision = db.session.query(Provision).filter_by(round_id=round_.id, key=key).one()
        return feedback.submit_comment(provision, fields.pop("author", people["author"]),
                                       stance=fields.pop("stance", "amend"), body=body,
                                       bulk=True, **fields)

    comment(one, "m-shared", "A published view on records.", publish_consent=True,
            author=people["outsider"], stance="support")
    private_one = comment(one, "m-shared", "PRIVATEMARKONE keep records for seven years",
                          proposed_text="for seven years PRIVATEMARKONE")
    comment(one, "m-other", "PRIVATEMARKTWO publish it monthly instead")
    hidden = comment(one, "m-shared", "HIDDENMARK an angry remark", publish_consent=True)
    feedback.hide_comment(hidden, "Insulting.", secretariat)
    comment(two, "m-shared", "PRIVATEMARKONE again on the second draft")
    comment(two, "m-shared", "PLENARYMARK a published comment in the plenary round",
            publish_consent=True, author=people["member"])
    run = run_synthesis(one, group="wg1", actor=secretariat)
    importer.import_round((folder / "3.md").read_text(), "3.md", actor=secretariat)
    tokens = {role: accounts.create_token(user, "black box")[1] for role, user in people.items()}
    db.session.commit()
    print(json.dumps({
        "tokens": tokens,
        "users": {role: user.id for role, user in people.items()},
        "provisions": [p.id for p in db.session.query(Provision)],
        "keys": sorted({p.key for p in db.session.query(Provision)}),
        "comments": [c.id for c in db.session.query(Comment)],
        "runs": [r.id for r in db.session.query(SynthesisRun)],
        "themes": [t.id for t in db.session.query(Theme)],
        "private": private_one.id,
    }))
'''


@dataclass
class World:
    base: str
    seed: dict[str, Any]
    sessions: dict[str, Any]
    csrf: dict[str, str]


def _login(base: str, email: str | None) -> tuple[Any, str]:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=60).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    if email:
        answer = session.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                     "csrf_token": token}, timeout=60)
        assert answer.url.rstrip("/") == base, f"{email} could not log in"
        page = session.get(f"{base}/account", timeout=60).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return session, token


EMAILS = {"public": None, "outsider": "outsider@bb.example", "member": "member@bb.example",
          "chair": "chair@bb.example", "author": "author@bb.example",
          "secretariat": "sec@bb.example"}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("blackbox")
    database, pg_name = f"sqlite:///{folder}/blackbox.db", None
    if os.environ.get("PLENARY_TEST_DATABASE_URL", "").startswith("postgresql"):
        made = loadkit.create_pg_database("plenary_blackbox")  # the suite's run on PostgreSQL
        assert made is not None, "PostgreSQL is not reachable"
        database, pg_name = made
    env = {**os.environ, "DATABASE_URL": database, "PLENARY_INSTANCE_PATH": str(folder),
           "PLENARY_ENV": "development", "PLENARY_PUBLIC_URL": "http://plenary.test"}
    env.pop("REDIS_URL", None)
    try:
        loadkit.migrate(env)
        seed = json.loads(loadkit.python(SEED, env, json.dumps({"password": PASSWORD}),
                                         timeout=300))
        port = loadkit.free_port()
        with loadkit.gunicorn(env, port, workers=2, log=folder / "gunicorn.log") as base:
            sessions, csrf = {}, {}
            for role, email in EMAILS.items():
                sessions[role], csrf[role] = _login(base, email)
            yield World(base, seed, sessions, csrf)
    finally:
        if pg_name:
            loadkit.drop_pg_database(pg_name)


def _routes() -> list[tuple[str, str]]:
    """(method, rule) of every route of the app, from a throwaway instance's route table."""
    from app import create_app
    from app.config import config_for_tests

    app = create_app(config_for_tests("sqlite://"))
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(set(found))


def _openapi_paths() -> list[tuple[str, str]]:
    from app import create_app
    from app.api.openapi import openapi_document
    from app.config import config_for_tests

    create_app(config_for_tests("sqlite://"))  # its modules document their paths on import
    paths = openapi_document()["paths"]
    return sorted((method.upper(), "/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path))
                  for path, operations in paths.items() for method in operations)


def _values(name: str, seed: dict[str, Any]) -> list[Any]:
    by_name: dict[str, list[Any]] = {
        "code": ["bb"], "number": [1, 2, 3], "n": [1, 2, 3], "key": seed["keys"],
        "provision_id": seed["provisions"], "comment_id": seed["comments"],
        "run_id": seed["runs"], "theme_id": seed["themes"], "user_id": list(seed["users"].values()),
        "slug": ["wg1", "wg2"], "entry_id": [1], "token": ["not-a-token"], "token_id": [1],
    }  # fmt: skip
    return by_name.get(name, ["x"])


# Searches use words of the hidden texts, never the markers (a page may echo its query).
QUERIES: tuple[dict[str, Any], ...] = (
    {}, {"from": 1, "to": 3}, {"from": 2, "to": 3}, {"q": "internal cards"},
    {"q": "seven years"}, {"group": "wg1"}, {"provision": "m-shared"},
)  # fmt: skip


def _urls(rule: str, seed: dict[str, Any]) -> list[str]:
    names = re.findall(r"<(?:[a-z]+:)?(\w+)>", rule)
    combos = list(itertools.product(*[_values(name, seed) for name in names]))[:30]
    urls = []
    for combo in combos:
        url = rule
        for name, value in zip(names, combo, strict=True):
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), url, count=1)
        urls.append(url)
    return urls


def _leaks(role: str, text: str) -> list[str]:
    return [marker for marker, seen_by in MARKERS.items() if marker in text and role not in seen_by]


def _request(world: World, role: str, method: str, url: str, query: dict[str, Any]) -> Any:
    session = world.sessions[role]
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.seed['tokens'][role]}"} if role != "public" \
            else {}
        if method == "GET":
            return requests.get(world.base + url, params=query, headers=headers, timeout=60)
        return requests.request(method, world.base + url, params=query, headers=headers,
                                json={"stance": "support", "body": "probe"}, timeout=60)
    if method == "GET":
        return session.get(world.base + url, params=query, timeout=60, allow_redirects=False)
    return session.request(method, world.base + url, params=query, timeout=60,
                           data={"csrf_token": world.csrf[role]}, allow_redirects=False)


def test_the_seed_planted_every_marker_where_its_readers_find_it(world: World) -> None:
    """The walk below proves nothing unless the markers are really there to be found."""
    seen = {marker: set() for marker in MARKERS}
    probes = ["/codes/bb/rounds/2", "/codes/bb/rounds/3", "/my/feedback",
              "/api/v1/codes/bb/rounds/1/provisions/m-shared/comments",
              "/api/v1/codes/bb/rounds/1/provisions/m-other/comments"]
    for role in ROLES:
        for url in probes:
            text = _request(world, role, "GET", url, {}).text
            for marker in MARKERS:
                if marker in text:
                    seen[marker].add(role)
    assert seen["INTERNALMARK"] == {"chair", "secretariat"}
    assert "outsider" in seen["PLENARYMARK"] and "public" not in seen["PLENARYMARK"]
    assert {"author", "chair", "secretariat"} <= seen["PRIVATEMARKONE"]
    assert {"author", "secretariat"} <= seen["PRIVATEMARKTWO"]
    assert {"author", "secretariat"} <= seen["HIDDENMARK"]


# POSTs that end a role's session or token run last, so that the rest of the walk is made
# with every role still signed in.
LAST = ("/logout", "/account/tokens/<int:token_id>/revoke", "/account/delete")


def test_no_route_shows_any_role_a_marker_it_may_not_see(world: World) -> None:
    routes = sorted(set(_routes()) | set(_openapi_paths()),
                    key=lambda route: (route[1] in LAST, route))
    assert len(routes) > 40  # the whole table, not a sample
    leaks: list[str] = []
    requests_made = 0
    done: set[tuple[str, str, str]] = set()  # the route table and the OpenAPI name some alike
    for method, rule in routes:
        for url in _urls(rule, world.seed):
            # Query strings matter on pages of a whole round or code, not of one provision.
            queried = method == "GET" and "<key>" not in rule and (
                "/codes/" in rule or rule.startswith("/chair"))
            for query in QUERIES if queried else ({},):
                if (method, url, repr(query)) in done:
                    continue
                done.add((method, url, repr(query)))
                for role in ROLES:
                    response = _request(world, role, method, url, query)
                    requests_made += 1
                    assert response.status_code < 500, (role, method, url, query,
                                                        response.status_code)
                    found = _leaks(role, response.text)
                    if found:
                        leaks.append(f"{role} {method} {url} {query}: {found}")
    assert requests_made > 1000
    assert leaks == [], "\n".join(leaks[:40])


def test_reads_that_once_wrote_answer_without_503_while_comments_are_posted(world: World) -> None:
    stop = threading.Event()
    statuses: list[int] = []
    tokens = [world.seed["tokens"][role] for role in ("outsider", "member", "author", "chair")]

    def post_here(worker: int) -> None:
        n = 0
        url = world.base + "/api/v1/codes/bb/rounds/2/provisions/m-shared/comments"
        while not stop.is_set():
            answer = requests.post(url, json={"stance": "support", "body": f"w{worker} {n}"},
                                   headers={"Authorization": f"Bearer {tokens[worker]}"},
                                   timeout=60)
            statuses.append(answer.status_code)
            n += 1

    writers = [threading.Thread(target=post_here, args=(w,)) for w in range(4)]
    for thread in writers:
        thread.start()
    reads: list[int] = []
    try:
        chair = _login(world.base, EMAILS["chair"])[0]
        secretariat = _login(world.base, EMAILS["secretariat"])[0]
        export = "/codes/bb/rounds/1/comments.csv?group=wg1"
        for _ in range(30):
            page = chair.get(world.base + export, timeout=60)
            reads.append((export, page.status_code))
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
            download = chair.post(world.base + export, data={"csrf_token": token.group(1)},
                                  timeout=60)
            reads.append(("download", download.status_code))
            for path in ("/admin/", "/admin/accounts", "/admin/audit"):
                reads.append((path, secretariat.get(world.base + path, timeout=60).status_code))
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert 201 in statuses  # the writers really wrote meanwhile
    assert {status for _, status in reads} == {200}, sorted(set(reads))

