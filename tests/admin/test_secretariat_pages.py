"""The secretariat's everyday pages: finding accounts, roles chosen per group, round windows to
the minute, and the feedback import linked from the round with a template to fill in."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.accounts import services as accounts
from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.models import Comment


def as_secretariat(client, auth, create_user):
    create_user("sec@example.org", name="Sam Secretariat", role="secretariat")
    auth.login("sec@example.org")
    return auth.csrf_token("/admin/accounts")


def test_accounts_are_found_by_name_email_or_organisation_and_paged(client, auth, create_user):
    as_secretariat(client, auth, create_user)
    for n in range(55):
        create_user(f"person{n:02}@example.org", name=f"Person {n:02}", organisation="Org A")
    create_user("needle@example.org", name="Nina Needle", organisation="Haystack Institute")
    found = client.get("/admin/accounts", query_string={"q": "haystack"}).get_data(as_text=True)
    assert "Nina Needle" in found and "Person 01" not in found and "1 account found" in found
    first = client.get("/admin/accounts").get_data(as_text=True)
    assert "page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/admin/accounts", query_string={"page": 2}).get_data(as_text=True)
    names = set(re.findall(r"Person \d\d", first)) & set(re.findall(r"Person \d\d", second))
    assert names == set()  # no account on both pages


def test_a_new_account_gets_its_group_roles_from_choices_not_typed_text(
    client, auth, create_user, create_group
):
    token = as_secretariat(client, auth, create_user)
    one, two = create_group("wg1"), create_group("wg2")
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert f'name="new-group_{one.id}"' in page and 'name="new-groups"' not in page
    client.post("/admin/accounts", data={
        "new-email": "new@example.org", "new-name": "New Person", "new-category": "academia",
        "new-role": "participant", f"new-group_{one.id}": "chair",
        f"new-group_{two.id}": "member", "new-submit": "1", "csrf_token": token})
    user = accounts.find_user("new@example.org")
    assert {(m.group.slug, m.role) for m in user.memberships} == {("wg1", "chair"),
                                                                   ("wg2", "member")}


def test_the_account_page_changes_role_and_memberships_and_audits_them(
    client, auth, create_user, create_group
):
    token = as_secretariat(client, auth, create_user)
    group = create_group("wg1")
    person = create_user("p@example.org", name="Pat", groups=[("wg1", "member")])
    page = client.get(f"/admin/accounts/{person.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="member">|<option value="member" selected', page)
    answer = client.post(f"/admin/accounts/{person.id}", data={
        "role": "participant", f"group_{group.id}": "vice_chair", "csrf_token": token})
    assert answer.status_code == 302
    db.session.refresh(person)
    assert [m.role for m in person.memberships] == ["vice_chair"]
    client.post(f"/admin/accounts/{person.id}", data={
        "role": "participant", f"group_{group.id}": "", "csrf_token": token})
    db.session.refresh(person)
    assert person.memberships == []
    changes = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "membership.change").order_by(AuditEvent.id)).all()
    assert [(c["before"], c["after"]) for c in changes][-2:] == [
        ("member", "vice_chair"), ("vice_chair", None)]


def test_window_times_are_to_the_minute(client, auth, create_user, create_round):
    token = as_secretariat(client, auth, create_user)
    create_round(1, window="open")
    page = client.get("/admin/drafts/demo-code/rounds/1").get_data(as_text=True)
    value = re.search(r'id="win-opens"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*id="win-opens"', page)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", value.group(1))
    assert 'step="60"' in page
    answer = client.post("/admin/drafts/demo-code/rounds/1", data={
        "win-opens": "2030-01-02T09:30", "win-closes": "2030-02-02T17:45", "win-submit": "1",
        "csrf_token": token})
    assert answer.status_code == 302


def test_the_import_page_is_linked_from_the_round_and_its_template_imports(
    client, auth, create_user, create_round, create_provision
):
    token = as_secretariat(client, auth, create_user)
    round_ = create_round(1, window="open")
    create_provision(round_, "m-1", label="Measure 1.1")
    settings = client.get("/admin/drafts/demo-code/rounds/1").get_data(as_text=True)
    assert "/codes/demo-code/rounds/1/feedback/import" in settings
    page = client.get("/codes/demo-code/rounds/1/feedback/import").get_data(as_text=True)
    assert "author_category" in page and "feedback/template.csv" in page
    template = client.get("/codes/demo-code/rounds/1/feedback/template.csv")
    assert template.mimetype == "text/csv" and "Measure 1.1" in template.get_data(as_text=True)
    client.post("/codes/demo-code/rounds/1/feedback/import", data={
        "file": (io.BytesIO(template.get_data()), "template.csv"), "csrf_token": token},
        content_type="multipart/form-data")
    assert db.session.scalar(select(Comment.external_id)) == "sub-00001"
    jsonl = client.get("/codes/demo-code/rounds/1/feedback/template.jsonl").get_data(as_text=True)
    assert '"provision": "Measure 1.1"' in jsonl
