"""`plenary demo`: the demo Code with accounts, feedback and syntheses, served locally.

The demo follows the real order of work: a round is imported, its feedback arrives, then the
next round is imported (which carries the comments forward), and so on up to the final Code.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User, WorkingGroup
from app.core.cli import fail, user_errors
from app.core.db import db, utcnow
from app.drafting.models import Code, Provision, Round
from app.drafting.services import get_round, neighbour_round

ROOT = Path(__file__).resolve().parent.parent
DEMO_CODE = "gpai-code"
DEMO_PASSWORD = "plenary-demo-2026"  # noqa: S105  (a demo, refused in production)
GROUPS = [
    ("wg1", "Working Group 1: Transparency"),
    ("wg2", "Working Group 2: Copyright"),
    ("wg3", "Working Group 3: Risk assessment"),
    ("wg4", "Working Group 4: Technical mitigation and governance"),
]
ACCOUNTS = [
    # email, name, organisation, category, role, groups
    ("secretariat@plenary.example", "Sofia Secretariat", "AI Office", "other", "secretariat", []),
    (
        "chair.wg1@plenary.example",
        "Dr. Ines Varga",
        "University of Graz",
        "academia",
        "participant",
        [("wg1", "chair")],
    ),
    (
        "chair.wg2@plenary.example",
        "Prof. Tomas Lind",
        "Nordic Law Institute",
        "academia",
        "participant",
        [("wg2", "chair")],
    ),
    (
        "chair.wg3@plenary.example",
        "Dr. Amara Okafor",
        "Independent",
        "independent_expert",
        "participant",
        [("wg3", "chair")],
    ),
    (
        "chair.wg4@plenary.example",
        "Dr. Luca Bernardi",
        "Politecnico Example",
        "academia",
        "participant",
        [("wg4", "chair"), ("wg3", "vice_chair")],
    ),
    (
        "participant@plenary.example",
        "Nora Participant",
        "Open Rights Example",
        "civil_society",
        "participant",
        [("wg1", "member"), ("wg2", "member")],
    ),
    (
        "provider@plenary.example",
        "Ken Provider",
        "Lumen Models Example",
        "gpai_provider",
        "participant",
        [("wg3", "member")],
    ),
]


def _ensure_groups() -> None:
    for slug, name in GROUPS:
        if db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug)) is None:
            accounts.create_group(slug, name)


def _ensure_accounts() -> None:
    for email, name, org, category, role, groups in ACCOUNTS:
        if accounts.find_user(email) is None:
            accounts.create_user(
                email,
                name,
                organisation=org,
                category=category,
                role=role,
                groups=groups,
                password=DEMO_PASSWORD,
            )


def _import_round(folder: Path, number: int, secretariat: User, today: dt.datetime) -> Round:
    from app.drafting.importer import import_round

    path = folder / f"{number}.md"
    text = _dated_source(path.read_text(encoding="utf-8"), number, today)
    import_round(text, str(path), actor=secretariat, default_code=DEMO_CODE)
    db.session.flush()
    return demo_round(number)


def demo_round(number: int) -> Round:
    return get_round(DEMO_CODE, number, check=False)


# The demo tells its story as of the day it is loaded (docs/demo.md): the first two drafts
# were consulted on and closed, the third is the latest published draft and open for feedback
# now, and the final version is being prepared after it (internal: the secretariat and the
# chairs see it). Days before (-) or after (+) the day of loading, per round number:
# (published, window opens, window closes, visibility); None for no window.
TIMELINE: dict[int, tuple[int, int | None, int | None, str]] = {
    1: (-150, -150, -122, "public"),
    2: (-95, -95, -68, "public"),
    3: (-20, -20, 14, "public"),
    4: (45, None, None, "internal"),
}


def _dated_source(text: str, number: int, today: dt.datetime) -> str:
    """The round file with the demo timeline's date, window and visibility in its front
    matter (see TIMELINE), so that what is imported (and logged) is what the demo shows."""
    import yaml

    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    published, opens, closes, visibility = TIMELINE[number]
    noon = today.replace(hour=12, minute=0, second=0, microsecond=0)
    meta["date"] = (today + dt.timedelta(days=published)).date()
    meta["visibility"] = visibility
    meta.pop("consultation", None)
    if opens is not None and closes is not None:
        meta["consultation"] = {
            "opens": (noon + dt.timedelta(days=opens)).isoformat(),
            "closes": (noon + dt.timedelta(days=closes, hours=11, minutes=59)).isoformat(),
        }
    if meta.get("final"):
        meta["name"] = "Final version (in preparation)"
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body


def _retimed(rows: list[tuple[int, Any]], round_: Round, now: dt.datetime) -> list[Any]:
    """The rows with their submission times moved into the round's window as the demo places
    it (in the same order and proportions), none later than now."""
    times = [dt.datetime.fromisoformat(row["submitted_at"].replace("Z", "+00:00"))
             for _, row in rows if isinstance(row, dict) and row.get("submitted_at")]
    if not times or round_.opens_at is None or round_.closes_at is None:
        return rows
    first, last = min(times), max(times)
    start, end = round_.opens_at, min(round_.closes_at, now - dt.timedelta(hours=1))
    span = (last - first).total_seconds() or 1.0
    out = []
    for number, row in rows:
        if isinstance(row, dict) and row.get("submitted_at"):
            moment = dt.datetime.fromisoformat(row["submitted_at"].replace("Z", "+00:00"))
            share = (moment - first).total_seconds() / span
            row = {**row, "submitted_at": (start + share * (end - start)).isoformat()}
        out.append((number, row))
    return out


def _import_feedback(folder: Path, round_: Round, secretariat: User) -> None:
    from app.feedback.bulk import import_feedback, read_rows

    path = folder / "feedback" / f"round-{round_.number}.jsonl"
    if path.exists():
        rows = _retimed(list(read_rows(path.read_bytes(), path.name)), round_, utcnow())
        report = import_feedback(round_, rows, actor=secretariat, source_name=path.name)
        click.echo(
            f"  feedback on round {round_.number}: {report.imported} imported, "
            f"{report.duplicates} duplicates, {len(report.refused)} refused"
        )


RESPONSES = [
    (
        "accepted",
        "The working group agreed. The third draft rewrites the passage this theme is "
        "about; the linked provision shows the new wording.",
    ),
    (
        "partly_accepted",
        "Partly taken up: the third draft narrows the duty in the way many of you asked, "
        "but keeps the timeline, which the group considers necessary for the AI Office "
        "to do its work.",
    ),
    (
        "not_taken_up",
        "Not taken up: the group weighed these comments against the opposing "
        "views in the same round and kept the approach of the second draft; the "
        "reasons are set out in the explanatory note to the third draft.",
    ),
]


def _answer_largest_themes(run: Any, successors: dict[int, list[str]], chair: User | None) -> None:
    """The demo chairs answer the two largest themes of each run ("you said, we did"), and
    the theme holding the demo participant's comment, so that she hears of it."""
    from collections import Counter

    from app.drafting.models import Provision
    from app.synthesis.workspace import public_title, rename_theme, respond

    themes = sorted(run.themes, key=lambda theme: -theme.size)[:2]
    themes += [t for t in run.themes if t not in themes and any(
        m.comment.author.email == "participant@plenary.example" for m in t.members)][:1]
    given: dict[str, int] = {}
    for index, theme in enumerate(themes):
        provisions = Counter(m.comment.provision_id for m in theme.members)
        keys = successors.get(provisions.most_common(1)[0][0], []) if provisions else []
        outcome, reason = RESPONSES[(run.id + index) % len(RESPONSES)]
        # Answering in public, the chairs title the theme themselves: the generated title if
        # published comments use its words (workspace.public_title), else one of their own
        # from the public draft, as a chair should (a generated title may quote a private
        # comment, or name a sender who did not agree to be named).
        title = public_title(theme)
        if title is None:
            top = provisions.most_common(1)
            provision = db.session.get(Provision, top[0][0]) if top else None
            title = f"Comments on {provision.heading}" if provision else f"Theme {index + 1}"
            given[title] = given.get(title, 0) + 1
            title += f" ({given[title]})" if given[title] > 1 else ""
        rename_theme(theme, title, actor=chair)
        respond(theme, outcome, reason, keys, actor=chair)


def _synthesise(round_: Round, secretariat: User) -> None:
    from app.drafting.lineage import lineage_between
    from app.synthesis.services import run_synthesis

    following = neighbour_round(round_, 1)
    successors: dict[int, list[str]] = {}
    if following is not None:
        entries, _added = lineage_between(round_, following)
        successors = {e.source.id: [t.key for t in e.targets] for e in entries}

    for slug, _name in GROUPS:
        group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
        with click.progressbar(
            length=100, label=f"  synthesising round {round_.number}, {slug}", show_eta=False
        ) as bar:
            state = {"shown": 0}

            def progress(done: int, total: int, bar: Any = bar, state: dict = state) -> None:
                percent = int(100 * done / total) if total else 100
                bar.update(percent - state["shown"])
                state["shown"] = percent

            run = run_synthesis(round_, group=group, progress=progress, actor=secretariat)
        chair = (
            next((m.user for m in group.memberships if m.role == "chair"), None) if group else None
        )
        _answer_largest_themes(run, successors, chair)
        db.session.commit()
    _synthesise_busiest_measures(round_, secretariat)


def _synthesise_busiest_measures(round_: Round, secretariat: User, minimum: int = 30) -> None:
    """A chair opening "the synthesis of a measure" finds one for each much-discussed measure.

    The comments' vectors are cached by the group runs, so these runs only cluster.
    """
    from sqlalchemy import func

    from app.feedback.models import Comment
    from app.synthesis.services import run_synthesis

    busiest = db.session.execute(
        select(Provision.key, func.count(Comment.id))
        .join(Comment, Comment.provision_id == Provision.id)
        .where(Provision.round_id == round_.id, Comment.parent_id.is_(None))
        .group_by(Provision.key)
        .having(func.count(Comment.id) >= minimum)
        .order_by(Provision.key)
    ).all()
    for key, count in busiest:
        click.echo(f"  synthesising round {round_.number}, {key} ({count} comments)")
        run_synthesis(round_, provision=key, actor=secretariat)
        db.session.commit()


def load_demo() -> None:
    """Load the demo into the configured database (idempotent: a loaded demo is left alone)."""
    folder = ROOT / "drafts" / DEMO_CODE
    _ensure_groups()
    _ensure_accounts()
    db.session.commit()
    if db.session.scalar(select(Code).where(Code.slug == DEMO_CODE)) is not None:
        db.session.rollback()
        click.echo("The demo Code is already loaded.")
        return
    secretariat = accounts.find_user(ACCOUNTS[0][0])
    assert secretariat is not None
    today = utcnow()
    for number in (1, 2, 3, 4):
        round_ = _import_round(folder, number, secretariat, today)
        click.echo(f"imported round {number}: {round_.name} ({len(round_.provisions)} provisions)")
        _import_feedback(folder, round_, secretariat)
        if number == 2:
            from app.demo_decisions import nora_proposals

            nora_proposals(round_)
        db.session.commit()
    _synthesise(demo_round(2), secretariat)
    from app.demo_decisions import decide_proposals

    decide_proposals(demo_round(2))
    db.session.commit()
    from app.notifications.delivery import announce_windows

    click.echo(f"  notifications: {announce_windows()} about the open consultation")
    from app.demo_decisions import date_the_story

    date_the_story()
    db.session.commit()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo and stop.")
@user_errors
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Create the embedded database, load the demo and serve it on http://127.0.0.1:5000."""
    if current_app.config.get("PLENARY_ENV") == "production":
        fail("the demo is not for production: it creates accounts with a known password")
    if not os.environ.get("PLENARY_PUBLIC_URL"):
        # Links the demo prints (receipts, feeds, invitations) name the address it serves on.
        current_app.config["PUBLIC_URL"] = f"http://{host}:{port}"
    upgrade(directory=str(ROOT / "migrations"))
    load_demo()
    click.echo(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, _org, _cat, role, groups in ACCOUNTS:
        detail = ", ".join(f"{g}:{r}" for g, r in groups) or role
        click.echo(f"  {email:34} {name} ({detail})")
    if no_serve:
        return
    # The command's own session must not hold SQLite's write lock while the server runs.
    db.session.remove()
    # The demo is one process: a worker thread runs what its pages queue (syntheses).
    from app.core.tasks import start_worker_threads
    from app.synthesis import tasks as _tasks  # noqa: F401  (registers the tasks)

    start_worker_threads()
    click.echo("A background worker runs in this process (syntheses queued from the pages).")
    click.echo(f"\nServing on http://{host}:{port} — press Ctrl+C to stop.")
    from werkzeug.serving import run_simple

    from app.core.process import freeze_startup_heap

    freeze_startup_heap()  # as wsgi.py: full collections skip what the demo loaded

    run_simple(
        host,
        port,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        threaded=True,  # type: ignore[attr-defined]
        use_reloader=False,
    )
