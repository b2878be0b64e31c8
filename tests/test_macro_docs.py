"""The macro property files (macros/*/_*.yml) document every argument of every macro, by its name.

The signatures come from the .sql files (parsed by Jinja),
the documented arguments from the manifest of `dbt parse`, so that adding or
renaming an argument without documenting it fails here. The types must be ones
dbt's `validate_macro_args` flag accepts (string, list[string], optional[...], ...).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import pytest
from dbt.parser.schemas import is_valid_type

from harness import PROJECT_DIR, Warehouse

def signatures() -> dict[str, list[str]]:
    """Every macro of macros/ and its argument names, as Jinja itself parses them."""
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    found: dict[str, list[str]] = {}
    for path in sorted((PROJECT_DIR / "macros").rglob("*.sql")):
        for macro in environment.parse(path.read_text()).find_all(jinja2.nodes.Macro):
            assert macro.name not in found, f"macro {macro.name} defined twice"
            found[macro.name] = [argument.name for argument in macro.args]
    return found


def test_signatures_are_read_with_their_defaults_dropped() -> None:
    found = signatures()
    assert found["late_arrival_cutoff"] == ["relation", "column", "where"]
    assert found["product_activation"][-4:] == ["survival_window_months", "intent_contexts", "intent_conditions", "candidates"]


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The macros of macros/ that a property file documents, from the manifest of dbt parse."""
    warehouse = Warehouse(tmp_path_factory.mktemp("macro-docs"))
    warehouse.dbt("parse", "--quiet")
    macros = json.loads((warehouse.work_dir / "target" / "manifest.json").read_text())["macros"].values()
    return {macro["name"]: macro for macro in macros
            if macro["package_name"] == "activation" and macro["patch_path"]
            and macro["original_file_path"].startswith("macros/")}  # not the generic tests of tests/generic


def test_every_macro_has_a_property_entry(documented: dict[str, dict[str, Any]]) -> None:
    assert set(signatures()) - set(documented) == set()


def test_documented_arguments_match_the_signatures(documented: dict[str, dict[str, Any]]) -> None:
    defined = signatures()
    mismatched = {
        name: {"sql": defined.get(name), "yml": [argument["name"] for argument in macro["arguments"]]}
        for name, macro in documented.items()
        if defined.get(name) != [argument["name"] for argument in macro["arguments"]]
    }
    assert mismatched == {}, "arguments: blocks in macros/*/_*.yml out of step with the .sql signatures"


def test_every_argument_has_a_valid_type_and_a_description(documented: dict[str, dict[str, Any]]) -> None:
    bad = [f"{name}({argument['name']}): type {argument['type']!r}"
           for name, macro in documented.items() for argument in macro["arguments"]
           if not argument["type"] or not is_valid_type(argument["type"]) or not argument["description"].strip()]
    assert bad == []

