"""The permission matrix: every route × role × round visibility × window, against a table.

Adding a route? Add one row to TABLE: (METHOD, rule as in app.url_map) -> an expectation built
from the helpers below, and, if the rule has a new argument name, a resolver in RESOLVERS.
A route without a row fails the test, naming the route.

POSTs send a valid CSRF token and an otherwise empty form: the table records who gets past the
access check (and how), not what a complete form does — the attack and domain tests do that.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.accounts import privacy, services
from app.accounts.models import User
from app.core.db import db
from app.core.extensions import limiter

ROLES = ("public", "participant", "other_group", "chair", "vice_chair", "secretariat")
VISIBILITIES = ("internal", "plenary", "public")
WINDOWS = ("open", "closed")
CHAIRS = ("chair", "vice_chair", "secretariat")  # wg1's chairs and vice-chairs, the secretariat


@dataclass(frozen=True)
class Case:
    role: str
    visibility: str
    window: str

    @property
    def signed_in(self) -> bool:
        return self.role != "public"

    @property
    def sees_round(self) -> bool:
        """can_view_round, restated: a second, independent statement of the rule."""
        if self.visibility == "public":
            return True
        if self.visibility == "plenary":
            return self.signed_in
        return self.role in CHAIRS

    @property
    def open(self) -> bool:
        return self.window == "open"


Expect = Callable[[Case], int]


def anyone(status: int) -> Expect:
    return lambda case: status


def signed_in(status: int) -> Expect:
    """Login required: the public is sent to the login page."""
    return lambda case: status if case.signed_in else 302


def secretariat(status: int, *, login_first: bool = False) -> Expect:
    """Secretariat only; everyone else 404 (or the public to the login page)."""
    def expect(case: Case) -> int:
        if login_first and not case.signed_in:
            return 302
        return status if case.role == "secretariat" else 404
    return expect


def round_visible(status: int) -> Expect:
    """Whoever may see the round gets `status`; the others 404, with no trace of the round."""
    return lambda case: status if case.sees_round else 404


def signed_in_round(status: int, *, closed: int | None = None) -> Expect:
    """Login required, then 404 for an invisible round, then `closed` when the window is shut."""
    def expect(case: Case) -> int:
        if not case.signed_in:
            return 302
        if not case.sees_round:
            return 404
        return closed if (closed is not None and not case.open) else status
    return expect


def only(roles: tuple[str, ...], status: int, *, otherwise: int = 404,
         public: int | None = 302) -> Expect:
    def expect(case: Case) -> int:
        if not case.signed_in and public is not None:
            return public
        return status if case.role in roles else otherwise
    return expect


def public_round(status: int) -> Expect:
    """Feeds: only public rounds, for everyone (feed readers carry no cookies)."""
    return lambda case: status if case.visibility == "public" else 404


def refused_if_seen(allowed: tuple[str, ...], status: int) -> Expect:
    """Login first; `allowed` roles get `status`; others 403 where they see the round, else 404."""
    def expect(case: Case) -> int:
        if not case.signed_in:
            return 302
        if case.role in allowed:
            return status
        return 403 if case.sees_round else 404
    return expect


def on_the_comment(author: int, readers: int, *, closed: int | None = None) -> Expect:
    """The participant's unpublished comment: its author, then those who may read it (wg1's
    chairs and the secretariat), everyone else 404."""
    def expect(case: Case) -> int:
        if not case.signed_in:
            return 302
        if case.role == "participant":
            return closed if (closed is not None and not case.open) else author
        return readers if case.role in CHAIRS else 404
    return expect


def by_its_author(author: int, readers: int, *, closed: int | None = None) -> Expect:
    """Changing the participant's comment: its author while they still see the round (a round
    made internal again is 404 to its commenters), those who may read it 403, others 404."""
    def expect(case: Case) -> int:
        if not case.signed_in:
            return 302
        if case.role == "participant":
            if not case.sees_round:
                return 404
            return closed if (closed is not None and not case.open) else author
        return readers if case.role in CHAIRS else 404
    return expect


def withdrawn_by_its_author() -> Expect:
    """Withdrawing: as by_its_author (302, readers 403, a closed window 409); the author, who
    comes first in the world of a case, withdraws it where the window is open in a round they
    see, and from then on it is shown to nobody else (404)."""
    author_first = by_its_author(302, 403, closed=409)

    def expect(case: Case) -> int:
        withdrawn = case.open and case.visibility != "internal"
        return 404 if case.role in CHAIRS and withdrawn else author_first(case)
    return expect


def refused_if_reads(allowed: tuple[str, ...], status: int) -> Expect:
    """On the participant's comment: `allowed` get `status`; those who may read it 403."""
    def expect(case: Case) -> int:
        if not case.signed_in:
            return 302
        if case.role in allowed:
            return status
        return 403 if case.role in ("participant", *CHAIRS) else 404
    return expect


def chairs_of_visible_round(status: int) -> Expect:
    """Chairs of the provision's group and the secretariat, in a round they see."""
    def expect(case: Case) -> int:
        if not case.signed_in:
            return 302
        return status if case.role in CHAIRS and case.sees_round else 404
    return expect


TABLE: dict[tuple[str, str], Expect] = {
    # public, health, static
    ("GET", "/"): anyone(200),
    ("GET", "/healthz"): anyone(200),
    ("POST", "/language"): anyone(400),  # no language chosen
    ("GET", "/static/<path:filename>"): anyone(200),
    # accounts
    ("GET", "/login"): anyone(200),
    ("POST", "/login"): anyone(200),
    ("POST", "/logout"): anyone(302),
    ("GET", "/invite/<token>"): anyone(200),
    ("POST", "/invite/<token>"): anyone(200),
    ("GET", "/account"): signed_in(200),
    ("POST", "/account"): signed_in(200),
    ("GET", "/account/tokens"): signed_in(200),
    ("POST", "/account/tokens"): signed_in(200),
    # the token belongs to the participant: anyone else's attempt is 404
    ("POST", "/account/tokens/<int:token_id>/revoke"): only(("participant",), 302),
    ("GET", "/account/export"): signed_in(200),
    ("GET", "/account/export/<token>"): signed_in(200),
    ("GET", "/account/delete"): signed_in(200),
    ("POST", "/account/delete"): signed_in(200),
    # secretariat
    ("GET", "/admin/"): secretariat(200),
    ("GET", "/admin/accounts"): secretariat(200),
    ("POST", "/admin/accounts"): secretariat(200),
    ("GET", "/admin/accounts/<int:user_id>"): secretariat(200),
    ("POST", "/admin/accounts/<int:user_id>"): secretariat(302),  # nothing sent: saved as it was
    ("POST", "/admin/accounts/<int:user_id>/invite"): secretariat(200),
    ("GET", "/admin/groups"): secretariat(200),
    ("POST", "/admin/groups"): secretariat(200),
    ("POST", "/admin/groups/<slug>/members"): secretariat(302),
    ("GET", "/admin/audit"): secretariat(200),
    ("GET", "/admin/drafts"): secretariat(200),
    ("POST", "/admin/drafts"): secretariat(200),
    ("GET", "/admin/drafts/<code>/rounds/<int:number>"): secretariat(200),
    ("POST", "/admin/drafts/<code>/rounds/<int:number>"): secretariat(200),
    ("GET", "/admin/drafts/<code>/rounds/<int:number>/lineage"): secretariat(200),
    ("POST", "/admin/drafts/<code>/rounds/<int:number>/lineage"): secretariat(200),
    # drafting pages
    ("GET", "/codes/<code>"): round_visible(200),
    ("GET", "/codes/<code>/rounds/<int:number>"): round_visible(200),
    ("GET", "/codes/<code>/rounds/<int:number>/provisions/<key>"): round_visible(200),
    # the per-round search sends the reader on to the code's search, that round chosen
    ("GET", "/codes/<code>/rounds/<int:number>/search"): round_visible(302),
    # search: the code's page and the API, with q= (QUERIES)
    ("GET", "/codes/<code>/search"): round_visible(200),
    ("GET", "/api/v1/codes/<code>/search"): round_visible(200),
    # diffing pages and feeds
    ("GET", "/codes/<code>/compare"): round_visible(200),
    ("GET", "/codes/<code>/compare/print"): round_visible(200),
    ("GET", "/codes/<code>/rounds/<int:number>/changes"): round_visible(200),
    ("GET", "/codes/<code>/provisions/<key>/history"): round_visible(200),
    # Feeds carry public rounds only: a code with no public round has no feed (404).
    ("GET", "/codes/<code>/feed.atom"): public_round(200),
    ("GET", "/codes/<code>/provisions/<key>/feed.atom"): public_round(200),
    # API
    ("GET", "/feedback/comments/<int:comment_id>/unhide"): refused_if_reads(("secretariat",), 200),
    ("POST", "/feedback/comments/<int:comment_id>/unhide"): refused_if_reads(("secretariat",), 200),
    ("GET", "/api/v1/openapi.json"): anyone(200),
    ("GET", "/api/v1/log"): anyone(200),
    ("GET", "/api/v1/log/key"): anyone(200),
    ("GET", "/api/v1/log/entries"): anyone(200),
    ("GET", "/api/v1/log/proof/inclusion"): anyone(400),
    ("GET", "/api/v1/log/proof/consistency"): anyone(400),
    ("GET", "/api/v1/codes/<code>/rounds/<int:n>/akn.xml"): round_visible(200),
    ("GET", "/record"): anyone(200),
    ("GET", "/record/verify_receipt.py"): anyone(200),
    # A receipt exists once the comment has a leaf: the matrix writes its comments directly,
    # so only those the edit row changed (open windows) have one; the author alone may fetch it.
    ("GET", "/record/receipts/<int:comment_id>.json"): by_its_author(200, 404, closed=404),
    ("GET", "/api/v1/codes"): anyone(200),
    ("GET", "/api/v1/codes/<code>/rounds"): round_visible(200),
    ("GET", "/api/v1/codes/<code>/rounds/<int:n>/provisions"): round_visible(200),
    ("GET", "/api/v1/codes/<code>/rounds/<int:n>/provisions/<key>"): round_visible(200),
    # from=1&to=1 in a one-round world: refused as bad input before any lookup (no leak).
    ("GET", "/api/v1/codes/<code>/diff"): anyone(400),
    ("GET", "/api/v1/codes/<code>/lineage"): round_visible(400),  # no from/to given
    ("GET", "/api/v1/codes/<code>/rounds/<int:number>/annotations"): round_visible(200),
    ("GET", "/api/v1/codes/<code>/rounds/<int:number>/provisions/<key>/comments"):
        round_visible(200),
    # a valid comment: 401 without a token, 404 unseen round, 409 closed window, 201 stored
    ("POST", "/api/v1/codes/<code>/rounds/<int:number>/provisions/<key>/comments"):
        lambda c: 401 if not c.signed_in else 404 if not c.sees_round else 409 if not c.open
        else 201,
    # whole-round synthesis: the secretariat's (404 here: the matrix world has no run yet);
    # chairs 403 (their group's scope only), others 403 on a round they see, else 404
    ("GET", "/api/v1/codes/<code>/rounds/<int:n>/synthesis"):
        lambda c: 404 if not c.sees_round or c.role == "secretariat"
        else 401 if c.role == "public" else 403,
    # the participant's own unpublished comment: its author, wg1's chairs and the secretariat
    ("GET", "/api/v1/comments/<int:comment_id>"): lambda c: 200 if c.role in (
        "participant", *CHAIRS) else 404,
    # feedback pages
    # the form page shows in a closed window too (saying so); an empty form is 400
    ("GET", "/feedback/provisions/<int:provision_id>/comments"): signed_in_round(200),
    ("POST", "/feedback/provisions/<int:provision_id>/comments"): signed_in_round(400),
    # an empty reply comes back on its own page (400) to whoever may read the comment
    ("POST", "/feedback/comments/<int:comment_id>/reply"): on_the_comment(400, 400),
    ("GET", "/feedback/comments/<int:comment_id>/edit"): by_its_author(200, 403),
    ("POST", "/feedback/comments/<int:comment_id>/edit"): by_its_author(302, 403, closed=409),
    # withdrawing asks first; in a closed window the page says so (200)
    ("GET", "/feedback/comments/<int:comment_id>/withdraw"): by_its_author(200, 403),
    # ... once its author has withdrawn it (an open window they see), nobody else sees it: 404
    ("POST", "/feedback/comments/<int:comment_id>/withdraw"): withdrawn_by_its_author(),
    ("GET", "/feedback/comments/<int:comment_id>/hide"): refused_if_reads(("secretariat",), 200),
    # ... an empty reason (as the matrix posts) comes back with its message: 400
    ("POST", "/feedback/comments/<int:comment_id>/hide"): refused_if_reads(("secretariat",),
                                                                           400),
    ("GET", "/my/feedback"): signed_in(200),
    # whole-round export and bulk import: the secretariat (chairs export with ?group=)
    ("GET", "/codes/<code>/rounds/<int:number>/comments.csv"): refused_if_seen(
        ("secretariat",), 200),
    ("POST", "/codes/<code>/rounds/<int:number>/comments.csv"): refused_if_seen(
        ("secretariat",), 200),
    # round 1 has no previous round: nothing to review, for anyone
    ("POST", "/admin/drafts/<code>/rounds/<int:number>/lineage/<key>"): secretariat(404),
    ("GET", "/codes/<code>/rounds/<int:number>/feedback/import"): refused_if_seen(
        ("secretariat",), 200),
    ("GET", "/codes/<code>/rounds/<int:number>/feedback/template.<any(csv, jsonl):kind>"):
        refused_if_seen(("secretariat",), 200),
    ("POST", "/codes/<code>/rounds/<int:number>/feedback/import"): refused_if_seen(
        ("secretariat",), 200),
    # synthesis: chairs and the secretariat; runs and themes are unknown ids for now
    # chair pages answer 404 to everyone else, the public included
    ("GET", "/chair/synthesis"): only(CHAIRS, 200, public=None),
    # the secretariat only; the run id is unknown here, so it is 404 for everyone
    ("POST", "/chair/runs/<int:run_id>/summariser"): anyone(404),
    ("GET", "/chair/codes/<code>/rounds/<int:number>/synthesis"): only(CHAIRS, 200,
                                                                       public=None),
    # an empty form is refused (400) once past the access check
    ("POST", "/chair/codes/<code>/rounds/<int:number>/synthesis/run"): only(CHAIRS, 400,
                                                                            public=None),
    ("GET", "/chair/runs/<int:run_id>"): anyone(404),
    ("GET", "/chair/runs/<int:run_id>/codebook"): anyone(404),
    ("POST", "/chair/runs/<int:run_id>/comments/<int:comment_id>/move"): anyone(404),
    ("POST", "/chair/runs/<int:run_id>/codebook"): anyone(404),
    ("POST", "/chair/runs/<int:run_id>/codebook/<int:entry_id>/delete"): anyone(404),
    ("GET", "/chair/runs/<int:run_id>/themes/<int:theme_id>"): anyone(404),
    ("GET", "/chair/runs/<int:run_id>/themes/<int:theme_id>/confirm/"
            "<any(merge, 'not-relevant'):action>"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/comments/<int:comment_id>/move"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/merge"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/note"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/relevance"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/rename"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/respond"): anyone(404),
    ("POST", "/chair/themes/<int:theme_id>/split"): anyone(404),
    ("GET", "/codes/<code>/rounds/<int:number>/register"): round_visible(200),
    # accountability: feedback at a glance, the chairs' decisions on proposed wording
    ("GET", "/codes/<code>/rounds/<int:number>/at-a-glance"): round_visible(200),
    ("GET", "/chair/codes/<code>/rounds/<int:number>/proposals"): only(CHAIRS, 200,
                                                                       public=None),
    # the participant's unpublished comment has no proposed wording: wg1's chairs are sent
    # back to the list with a message (302); everyone else 404 (the workspace is theirs only)
    # chairs past the check: the page again with the refusal (400), the comment having no
    # proposed wording
    ("POST", "/chair/comments/<int:comment_id>/decision"): only(CHAIRS, 400, public=None),
    # 401 without a token; the author may see it but not decide (403); chairs past the check
    # get 400 (no proposed wording); whoever may not see the comment 404
    ("PUT", "/api/v1/comments/<int:comment_id>/decision"): lambda c: (
        401 if not c.signed_in else 403 if c.role == "participant"
        else 400 if c.role in CHAIRS else 404),
    ("GET", "/api/v1/codes/<code>/rounds/<int:n>/register"): round_visible(200),
    ("GET", "/api/v1/codes/<code>/rounds/<int:n>/register.csv"): round_visible(200),
    # notifications: one's own page, settings and feed; the feed itself opens by its secret
    ("GET", "/my/notifications"): signed_in(200),
    ("POST", "/my/notifications/read"): signed_in(302),
    ("GET", "/my/notifications/settings"): signed_in(200),
    ("POST", "/my/notifications/settings"): signed_in(400),  # an empty form
    ("POST", "/my/notifications/feed"): signed_in(200),
    ("POST", "/my/notifications/feed/revoke"): signed_in(302),
    # the participant's feed: its secret opens it for anyone (feed readers carry no cookies)
    ("GET", "/notifications/feed/<token>.atom"): anyone(200),
}


# --- the objects a rule's arguments name -------------------------------------------------------

@dataclass
class World:
    """One code per (visibility, window), each with round 1 and provision m-1 of wg1."""

    users: dict[str, User]
    bearer: dict[str, str]
    secret_key: str
    token_id: int
    invitation: str
    comment_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    provision_ids: dict[tuple[str, str], int] = field(default_factory=dict)

    @staticmethod
    def code(case: Case) -> str:
        return f"m-{case.visibility}-{case.window}"

    @staticmethod
    def round_name(case: Case) -> str:
        return f"Roundtitle{case.visibility.capitalize()}{case.window.capitalize()}"


UNKNOWN_ID = 999_999  # placeholder for objects the matrix does not create yet

Resolver = Callable[[World, Case], Any]
RESOLVERS: dict[str, Resolver] = {
    "code": lambda w, c: w.code(c),
    "number": lambda w, c: 1,
    "n": lambda w, c: 1,
    "key": lambda w, c: "m-1",
    "slug": lambda w, c: "wg1",
    "filename": lambda w, c: "plenary.css",
    "token_id": lambda w, c: w.token_id,
    "user_id": lambda w, c: w.users["participant"].id,
    "token": lambda w, c: w.invitation,
    "comment_id": lambda w, c: w.comment_ids[(c.visibility, c.window)],
    "provision_id": lambda w, c: w.provision_ids[(c.visibility, c.window)],
    "run_id": lambda w, c: UNKNOWN_ID,
    "theme_id": lambda w, c: UNKNOWN_ID,
    "entry_id": lambda w, c: UNKNOWN_ID,
    "kind": lambda w, c: "csv",
    "action": lambda w, c: "merge",
}
# Where one argument name means different things in different rules.
RULE_RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("/account/export/<token>", "token"): lambda w, c: privacy.export_token(
        w.users.get(c.role) or w.users["participant"], w.secret_key),
    # a fresh secret each time: the rows for /my/notifications/feed regenerate and revoke it
    ("/notifications/feed/<token>.atom", "token"): lambda w, c: fresh_feed_token(w),
}


def fresh_feed_token(world: World) -> str:
    from app.notifications.services import new_feed_token

    token = new_feed_token(db.session.get(User, world.users["participant"].id))
    db.session.commit()
    return token


# Query strings and JSON bodies some routes need to answer at all.
QUERIES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/codes/<code>/diff"): {"from": 1, "to": 1},
    ("GET", "/codes/<code>/search"): {"q": "comment of the participant", "round": 1},
    ("GET", "/api/v1/codes/<code>/search"): {"q": "comment of the participant", "round": 1},
}
JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/api/v1/comments/<int:comment_id>/decision"):
        {"decision": "not_taken_up", "reason": "Sent by the permission matrix."},
    ("POST", "/api/v1/codes/<code>/rounds/<int:number>/provisions/<key>/comments"):
        {"stance": "support", "body": "A comment sent by the permission matrix."},
}


def build_world(app: Any, create_user: Any, create_round: Any, create_provision: Any) -> World:
    from app.feedback.models import Comment

    users = {
        "participant": create_user("participant@example.org"),
        "other_group": create_user("other@example.org", groups=[("wg2", "member")]),
        "chair": create_user("chair@example.org", groups=[("wg1", "chair")]),
        "vice_chair": create_user("vice@example.org", groups=[("wg1", "vice_chair")]),
        "secretariat": create_user("sec@example.org", role="secretariat"),
    }
    bearer = {role: services.create_token(user, "matrix")[1] for role, user in users.items()}
    token, _ = services.create_token(users["participant"], "to revoke")
    invitee = create_user("invitee@example.org", password=None)
    world = World(users=users, bearer=bearer, secret_key=app.config["SECRET_KEY"],
                  token_id=token.id,
                  invitation=services.create_invitation(invitee, days=7))
    for visibility, window in itertools.product(VISIBILITIES, WINDOWS):
        case = Case("public", visibility, window)
        round_ = create_round(1, code=world.code(case), visibility=visibility, window=window,
                              name=world.round_name(case))
        provision = create_provision(round_, "m-1", label="Measure 1", group="wg1")
        comment = Comment(round=round_, provision=provision, author=users["participant"],
                          body="A comment of the participant.", stance="support")
        db.session.add(comment)
        db.session.flush()
        world.comment_ids[(visibility, window)] = comment.id
        world.provision_ids[(visibility, window)] = provision.id
    db.session.commit()
    return world


def routes(app: Any) -> list[tuple[str, Any]]:
    return sorted(((method, rule) for rule in app.url_map.iter_rules()
                   for method in sorted(rule.methods - {"HEAD", "OPTIONS"})),
                  key=lambda item: (item[1].rule, item[0]))


def url_for_case(rule: Any, world: World, case: Case) -> str:
    values = {}
    for name in rule.arguments:
        resolver = RULE_RESOLVERS.get((rule.rule, name)) or RESOLVERS.get(name)
        if resolver is None:
            raise KeyError(f"{rule.rule}: no resolver for <{name}>; add one to RESOLVERS")
        values[name] = resolver(world, case)
    return rule.build(values, append_unknown=False)[1]


def browser_for(app: Any, world: World, role: str) -> Any:
    """A fresh client signed in as the role (the session set directly: no login throttling)."""
    client = app.test_client()
    if role != "public":
        user = db.session.get(User, world.users[role].id)
        db.session.refresh(user)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def csrf_token(client: Any) -> str:
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def request(app: Any, world: World, method: str, rule: Any, case: Case) -> Any:
    limiter.reset()
    url = url_for_case(rule, world, case)
    query = QUERIES.get((method, rule.rule), {})
    if url.startswith("/api/"):  # the API knows bearer tokens, never cookies
        client = app.test_client()
        token = world.bearer.get(case.role)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "GET":
            return client.get(url, headers=headers, query_string=query)
        return client.open(url, method=method, headers=headers, query_string=query,
                           json=JSON_BODIES.get((method, rule.rule), {}))
    client = browser_for(app, world, case.role)
    if method == "GET":
        return client.get(url, query_string=query)
    return client.open(url, method=method, data={"csrf_token": csrf_token(client)})


def test_every_route_answers_every_role_visibility_and_window_as_the_table_says(
        app, client, create_user, create_round, create_provision):
    world = build_world(app, create_user, create_round, create_provision)
    present = routes(app)
    missing = [f"  ({method!r}, {rule.rule!r}): ...,   # endpoint {rule.endpoint}"
               for method, rule in present if (method, rule.rule) not in TABLE]
    assert not missing, ("These routes have no row in TABLE (tests/trust/"
                         "test_permission_matrix.py); add one each:\n" + "\n".join(missing))
    stale = sorted(set(TABLE) - {(m, r.rule) for m, r in present})
    assert not stale, f"TABLE has rows for routes that no longer exist: {stale}"

    wrong: dict[str, list[str]] = {}
    for (method, rule), role, visibility, window in itertools.product(
            present, ROLES, VISIBILITIES, WINDOWS):
        case = Case(role, visibility, window)
        expected = TABLE[(method, rule.rule)](case)
        response = request(app, world, method, rule, case)
        problem = None
        if response.status_code != expected:
            problem = f"expected {expected}, got {response.status_code}"
        elif response.status_code == 404 and world.round_name(case) in response.get_data(
                as_text=True):
            problem = "the 404 names the hidden round"
        if problem:
            wrong.setdefault(f"{method} {rule.rule}", []).append(
                f"{role}/{visibility}/{window}: {problem}")
    report = [f"  {route} ({len(cases)} of 36): " + "; ".join(cases[:4])
              + (" ..." if len(cases) > 4 else "") for route, cases in wrong.items()]
    assert not wrong, f"{len(wrong)} routes differ from the table:\n" + "\n".join(report)
