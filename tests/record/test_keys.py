"""Where the log's signing key comes from (docs/record.md §6)."""

from __future__ import annotations

import stat

import pytest

from app import create_app
from app.config import config_for_tests
from app.record import signing


def test_production_refuses_to_start_without_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv(signing.KEY_VARIABLE, raising=False)
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    with pytest.raises(signing.LogKeyMissing, match="PLENARY_LOG_SIGNING_KEY"):
        create_app(config_for_tests(url, PLENARY_ENV="production"))
    seed = signing.new_seed()
    monkeypatch.setenv(signing.KEY_VARIABLE, seed)
    app = create_app(config_for_tests(url, PLENARY_ENV="production"))
    with app.app_context():
        assert signing.current_key() == signing.key_from_seed(seed)


@pytest.mark.parametrize("value", ["", "not base64!", "c2hvcnQ="])
def test_a_malformed_key_is_refused_with_a_clear_message(value):
    config = {"PLENARY_ENV": "production", signing.KEY_VARIABLE: value}
    with pytest.raises(signing.LogKeyMissing, match="PLENARY_LOG_SIGNING_KEY"):
        signing.configured_key(config, "/nonexistent", env={})


def test_development_generates_a_private_instance_key_once(tmp_path):
    first = signing.configured_key({"PLENARY_ENV": "development"}, tmp_path, env={})
    again = signing.configured_key({"PLENARY_ENV": "development"}, tmp_path, env={})
    path = tmp_path / signing.KEY_FILE
    assert first == again and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.key_id) == 16
    other = signing.configured_key({}, tmp_path, env={"PLENARY_INSTANCE_PATH": str(tmp_path / "x")})
    assert other != first


def test_signatures_verify_only_with_their_key():
    key, other = (signing.key_from_seed(signing.new_seed()) for _ in range(2))
    signature = key.sign(b"head")
    assert signing.verify(key.public_key, b"head", signature)
    assert not signing.verify(other.public_key, b"head", signature)
    assert not signing.verify(key.public_key, b"head!", signature)
    assert not signing.verify("garbage", b"head", "garbage")
