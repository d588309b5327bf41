"""The engine stays pure (no Flask/SQLAlchemy) and its registry finds plugins through entry points."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.valuation.engine import UnknownModelError, available, get, registry

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ROOT / "app" / "valuation" / "engine"
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug"}
BUILTINS = {
    "rfr",
    "profit_split",
    "market_comps",
    "cost",
    "real_option_bs",
    "real_option_binomial",
    "cnipa_pvd",
    "gbt42748",
    "oecd_indicators",
}

PROBE = """
import importlib, json, pkgutil, sys, types
root = sys.argv[1]
for name, path in (("app", root + "/app"), ("app.valuation", root + "/app/valuation")):
    module = types.ModuleType(name)
    module.__path__ = [path]
    sys.modules[name] = module
import app.valuation.engine as engine
for info in pkgutil.walk_packages(engine.__path__, "app.valuation.engine."):
    importlib.import_module(info.name)
engine.available()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_engine_source_imports_no_web_or_db_library():
    offenders = {p.name: _imports(p) & FORBIDDEN for p in ENGINE.rglob("*.py") if _imports(p) & FORBIDDEN}
    assert offenders == {}


def test_importing_the_engine_loads_no_web_or_db_library():
    out = subprocess.run([sys.executable, "-c", PROBE, str(ROOT)], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert loaded & FORBIDDEN == set()
    assert "numpy" in loaded


def test_all_builtin_models_are_registered_with_schemas():
    models = {m.id: m for m in available()}
    assert set(models) >= BUILTINS
    for model in models.values():
        described = model.describe()
        assert described["name_zh"]
        assert described["name_en"]
        assert described["kind"] in {"monetary", "score"}


def test_unknown_model_fails_loudly():
    with pytest.raises(UnknownModelError, match="no_such_model"):
        get("no_such_model")
    with pytest.raises(UnknownModelError):
        get("rfr", "9.9.9")


def test_toy_model_is_discovered_through_an_entry_point(tmp_path, monkeypatch):
    dist = tmp_path / "ipex_toy_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ipex-toy-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[ipex.valuation_models]\ntoy_flat = ipex_toy_plugin:ToyFlatModel\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    registry.unregister("toy_flat")
    try:
        model = get("toy_flat")
        result = model.value({}, {"price": 2500.0}, seed=1)
        assert (model.tag, str(result.value)) == ("toy_flat@0.1.0", "2500.00")
        assert "toy_flat" in {m.id for m in available()}
    finally:
        registry.unregister("toy_flat")


def test_registry_refuses_malformed_models():
    from app.valuation.engine import EngineError, Model

    class Bad(Model):
        id = "Bad Id"
        version = "one"

    with pytest.raises(EngineError, match="lower_snake_case"):
        registry.register(Bad)
