"""`plenary drafts import` and `plenary export lineage`: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.core.db import db
from app.drafting.models import Round
from tests.drafting.conftest import DRAFTS


def test_import_a_folder_prints_each_file_and_is_idempotent(runner: Any, demo_groups: None) -> None:
    first = runner.invoke(args=["drafts", "import", str(DRAFTS)])
    assert first.exit_code == 0, first.output
    assert first.output.count("created round") == 4
    again = runner.invoke(args=["drafts", "import", str(DRAFTS)])
    assert again.exit_code == 0 and again.output.count("unchanged round") == 4


def test_a_bad_file_exits_2_with_one_line_and_writes_nothing(
    runner: Any, demo_groups: None, tmp_path: Path, draft_text: Any
) -> None:
    folder = tmp_path / "test-code"
    folder.mkdir()
    (folder / "1.md").write_text(draft_text(1))
    (folder / "2.md").write_text(draft_text(2, extra="\n# Late {#late wg=nowhere}\n"))
    result = runner.invoke(args=["drafts", "import", str(folder)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error: ") and "2.md:" in lines[-1]
    assert "unknown working group 'nowhere'" in lines[-1]
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_export_lineage_writes_the_contract_document(runner: Any, demo_groups: None) -> None:
    runner.invoke(args=["drafts", "import", str(DRAFTS)])
    result = runner.invoke(
        args=["export", "lineage", "--code", "gpai-code", "--from", "1", "--to", "4"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["code"], document["from"], document["to"]) == ("gpai-code", 1, 4)
    first = db.session.scalar(select(Round).where(Round.number == 1))
    assert len(document["links"]) == len(first.provisions)


def test_export_lineage_of_an_unknown_code_exits_2(runner: Any) -> None:
    result = runner.invoke(args=["export", "lineage", "--code", "nope", "--from", "1", "--to", "2"])
    assert result.exit_code == 2 and "code 'nope'" in result.stderr
