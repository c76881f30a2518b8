import datetime as dt
import io
import re

import pytest

from app.accounts import services
from app.accounts.models import Invitation, User
from app.core.audit import AuditEvent
from app.core.db import db


def link_token(text):
    return re.search(r"/invite/([A-Za-z0-9_-]+)", text).group(1)


def test_cli_creates_an_account_with_groups_and_prints_its_link(runner, create_group):
    create_group("wg1")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "chair@example.org",
            "--name",
            "C. Chair",
            "--org",
            "Uni",
            "--category",
            "academia",
            "--group",
            "wg1:chair",
        ]
    )
    assert result.exit_code == 0, result.output
    user = services.find_user("chair@example.org")
    assert user.chairs(user.memberships[0].group_id)
    assert "/invite/" in result.output


def test_cli_refuses_a_duplicate_email_with_one_line_and_status_2(runner, create_user):
    create_user("dup@example.org")
    result = runner.invoke(args=["users", "create", "dup@example.org", "--name", "Again"])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert db.session.query(User).filter_by(email="dup@example.org").count() == 1


def test_cli_refuses_an_unknown_group(runner):
    result = runner.invoke(
        args=["users", "create", "x@example.org", "--name", "X", "--group", "nowhere"]
    )
    assert result.exit_code == 2
    assert services.find_user("x@example.org") is None


def test_invitation_link_sets_the_password_once(client, runner):
    result = runner.invoke(args=["users", "create", "new@example.org", "--name", "New Person"])
    token = link_token(result.output)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    csrf = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    ).group(1)
    form = {
        "password": "a long enough password",
        "confirm": "a long enough password",
        "csrf_token": csrf,
    }
    assert client.post(f"/invite/{token}", data=form).status_code == 302
    assert services.authenticate("new@example.org", "a long enough password") is not None
    assert client.get(f"/invite/{token}").status_code == 404


def test_expired_invitation_link_is_refused(client, create_user):
    user = create_user("late@example.org", password=None)
    token = services.create_invitation(user, days=7)
    invitation = db.session.query(Invitation).filter_by(user_id=user.id).one()
    invitation.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404


def secretariat_client(client, auth, create_user):
    create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")
    return auth.csrf_token("/admin/accounts")


def test_secretariat_creates_many_accounts_from_csv(client, auth, create_user, create_group):
    create_group("wg2")
    token = secretariat_client(client, auth, create_user)
    csv_text = (
        "email,name,organisation,category,role,groups\n"
        "a1@example.org,A One,Org A,industry,participant,wg2\n"
        'a2@example.org,A Two,Org B,sme,participant,"wg2:vice_chair"\n'
    )
    response = client.post(
        "/admin/accounts",
        data={
            "csv-file": (io.BytesIO(csv_text.encode()), "people.csv"),
            "csv-submit": "1",
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert page.count("/invite/") >= 2
    assert services.find_user("a2@example.org").memberships[0].role == "vice_chair"


def test_csv_with_a_bad_row_creates_nobody_and_names_the_line(client, auth, create_user):
    token = secretariat_client(client, auth, create_user)
    csv_text = (
        "email,name,category\n"
        "ok@example.org,Okay,industry\n"
        "not-an-email,Bad,industry\n"
        "ok2@example.org,Okay Two,unknown_category\n"
    )
    response = client.post(
        "/admin/accounts",
        data={
            "csv-file": (io.BytesIO(csv_text.encode()), "people.csv"),
            "csv-submit": "1",
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "line 3" in page and "line 4" in page
    assert services.find_user("ok@example.org") is None


def test_account_creation_is_audited(client, auth, create_user):
    token = secretariat_client(client, auth, create_user)
    client.post(
        "/admin/accounts",
        data={
            "new-email": "p@example.org",
            "new-name": "P",
            "new-category": "academia",
            "new-role": "participant",
            "new-submit": "1",
            "csrf_token": token,
        },
    )
    assert (
        db.session.query(AuditEvent)
        .filter_by(action="user.create")
        .filter(AuditEvent.detail.is_not(None))
        .count()
        >= 1
    )
    assert services.find_user("p@example.org") is not None


def test_participants_cannot_see_the_secretariat_pages(client, auth, create_user, caplog):
    """Refusals go to the security log; a GET never writes (not even an audit row)."""
    create_user("p@example.org")
    auth.login("p@example.org")
    before = db.session.query(AuditEvent).count()
    with caplog.at_level("INFO", logger="plenary.security"):
        for path in ("/admin/", "/admin/accounts", "/admin/groups", "/admin/audit"):
            assert client.get(path).status_code == 404
    assert [r.getMessage().split()[:3] for r in caplog.records] == [
        ["refused", "GET", path] for path in ("/admin/", "/admin/accounts", "/admin/groups",
                                              "/admin/audit")
    ]
    assert db.session.query(AuditEvent).count() == before


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u200b", "\u202e"])
def test_a_name_that_shows_nothing_is_refused(database, name):
    from app.core.errors import BadInput

    with pytest.raises(BadInput, match="name is required"):
        services.create_user("nobody@example.org", name)
    assert services.find_user("nobody@example.org") is None
