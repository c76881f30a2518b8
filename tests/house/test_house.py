"""The house rules (docs/architecture.md), read from the source of every module of `app/`.

Imports are collected from the whole module — at the top and inside functions (lazy imports
count) — and checked against the layers: a module imports only from its own domain and the
layers below it; there is no import cycle; the API never imports an HTML routes module; pure
engines import neither Flask, SQLAlchemy, `app.core` nor a models module; no module is past
400 lines. `test_the_checker_*` prove that the checks fail when a rule is broken.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
MAX_LINES = 400

# From the bottom up; a module may import from its own layer's domain and from lower layers.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("app.config", "app.core"),
    ("app.embedding",),
    ("app.accounts",),
    ("app.drafting",),
    ("app.diffing",),
    ("app.feedback",),
    ("app.synthesis",),
    ("app.record", "app.notifications", "app.search"),
    ("app.public", "app.api", "app.admin"),
    ("app",),  # the package root: create_app, the CLI entry point, the demo, every model
)
# Pure engines: plain dataclasses and arrays in and out, testable without an app.
PURE_ENGINES = frozenset({
    "app.drafting.parser", "app.drafting.frontmatter", "app.drafting.alignment",
    "app.drafting.similarity", "app.drafting.nodes",
    "app.drafting.splits", "app.drafting.markdown", "app.diffing.engine", "app.diffing.render",
    "app.feedback.anchoring", "app.embedding.engine", "app.synthesis.clustering",
    "app.synthesis.labels", "app.synthesis.duplicates", "app.synthesis.codebook",
    "app.record.merkle", "app.record.canonical", "app.drafting.textmatch",
    "app.drafting.evidence", "app.drafting.lookalike", "app.drafting.meaning",
    "app.drafting.rewrites", "app.drafting.coverage", "app.drafting.sentences",
    "app.drafting.structure", "app.drafting.confidence", "app.synthesis.themes",
    "app.synthesis.noise", "app.synthesis.titles", "app.synthesis.seeding",
    "app.synthesis.phrases", "app.synthesis.lexicon", "app.synthesis.voices",
    "app.synthesis.lexical",
})  # fmt: skip
IMPURE_PREFIXES = ("flask", "flask_", "sqlalchemy", "app.core", "werkzeug")


def module_name(path: Path, root: Path = APP) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = APP) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module `name` imports, anywhere in its body, resolved to known modules where the
    import names one (`from app.x import y` is `app.x.y` if that is a module, else `app.x`)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in known else base)
    return found


def graph(root: Path = APP) -> dict[str, set[str]]:
    found = modules(root)
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def layer(name: str) -> tuple[int, str]:
    """(layer index, domain) of a module of the app."""
    best = (-1, "")
    for index, domains in enumerate(LAYERS):
        for domain in domains:
            if (name == domain or name.startswith(domain + ".")) and len(domain) > len(best[1]):
                best = (index, domain)
    return best


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def wrong_way(edges: dict[str, set[str]]) -> list[str]:
    """Imports that go up a layer, or sideways into another domain of the same layer.

    Pure engines are libraries: they hold no state and import nothing of the app's, so any
    layer may use one (drafting's lineage uses the diff engine's word similarity)."""
    problems = []
    for source, targets in sorted(edges.items()):
        source_layer, source_domain = layer(source)
        for target in sorted(t for t in targets if t == "app" or t.startswith("app.")):
            if target in PURE_ENGINES:
                continue
            target_layer, target_domain = layer(target)
            if target_layer > source_layer or (
                target_layer == source_layer and target_domain != source_domain
            ):
                problems.append(f"{source} imports {target}")
    return problems


def forbidden(edges: dict[str, set[str]]) -> list[str]:
    """The named rules: the API never imports HTML routes; nothing but the package root
    imports a routes module or admin; pure engines stay pure."""
    problems = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            if target.endswith(".routes") and layer(source)[1] != "app":
                problems.append(f"{source} imports the HTML routes module {target}")
            elif target.startswith("app.admin") and not source.startswith("app.admin") and (
                layer(source)[1] != "app"
            ):
                problems.append(f"{source} imports {target}")
            if source in PURE_ENGINES and (
                target.startswith(IMPURE_PREFIXES) or target.endswith(".models")
            ):
                problems.append(f"the pure engine {source} imports {target}")
    return problems


def too_long(root: Path = APP) -> list[str]:
    return [
        f"{name} has {lines} lines"
        for name, path in modules(root).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_imports_go_down_the_layers() -> None:
    assert wrong_way(graph()) == []


def test_api_routes_admin_and_pure_engines_are_kept_apart() -> None:
    assert forbidden(graph()) == []


def test_every_pure_engine_exists() -> None:
    assert PURE_ENGINES <= set(modules())


def test_no_module_is_past_400_lines() -> None:
    assert too_long() == []


# -- the checker itself fails on a broken house --------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "app"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return root


def test_the_checker_finds_a_cycle_made_by_a_lazy_import(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "diffing/routes.py": "from app.diffing.blueprint import bp\n",
        "diffing/blueprint.py": "def later():\n    from app.diffing import routes\n",
    })  # fmt: skip
    assert cycles(graph(root)) == [["app.diffing.blueprint", "app.diffing.routes"]]


def test_the_checker_refuses_drafting_importing_feedback(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"drafting/services.py": "from app.feedback.carry import carry\n",
                            "feedback/carry.py": "carry = 1\n"})  # fmt: skip
    assert wrong_way(graph(root)) == ["app.drafting.services imports app.feedback.carry"]


@pytest.mark.parametrize(
    ("source", "text", "problem"),
    [
        ("api/comments.py", "from app.feedback.routes import LIMIT\n",
         "app.api.comments imports the HTML routes module app.feedback.routes"),
        ("drafting/alignment.py", "from flask import g\n",
         "the pure engine app.drafting.alignment imports flask"),
        ("drafting/alignment.py", "from app.drafting.models import Round\n",
         "the pure engine app.drafting.alignment imports app.drafting.models"),
        ("drafting/routes.py", "from app.admin.routes import secretariat_required\n",
         "app.drafting.routes imports the HTML routes module app.admin.routes"),
    ],
)  # fmt: skip
def test_the_checker_refuses_named_imports(
    tmp_path: Path, source: str, text: str, problem: str
) -> None:
    root = _tree(tmp_path, {source: text, "feedback/routes.py": "LIMIT = 1\n",
                            "drafting/models.py": "Round = 1\n",
                            "admin/routes.py": "secretariat_required = 1\n"})  # fmt: skip
    assert problem in forbidden(graph(root))


def test_the_checker_finds_a_long_module(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"drafting/services.py": "x = 1\n" * 401})
    assert too_long(root) == ["app.drafting.services has 401 lines"]
