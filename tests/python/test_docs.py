"""Documentation coverage: a reviewer can audit the project from the generated dbt docs.

Runs `dbt docs generate` against a copy of the sample build and checks, from dbt's own
manifest and catalog, that every model, seed, snapshot, source, macro and exposure is
described, that 100% of the models' columns (as they exist in the database) are
described, and that every audience output is public, contracted and in an exposure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import chromium, render  # noqa: F401 - chromium is a fixture
from conftest import PROJECT_ROOT, Build, copy_warehouse, run_dbt
from riia import docs as make_indicator_docs


@pytest.fixture(scope="module")
def docs(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("docs")
    copy = copy_warehouse(sample_build, root)  # the shared build stays read-only
    run_dbt(copy.returns_dir, copy.db_path, command="docs generate", extra_args=("--static",))
    target = root / "dbt_target"
    return {
        "manifest": json.loads((target / "manifest.json").read_text()),
        "catalog": json.loads((target / "catalog.json").read_text()),
        "static": target / "static_index.html",
    }


def project_nodes(manifest: dict, *types: str) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["package_name"] == "riia" and n["resource_type"] in types]


def test_indicator_doc_blocks_are_generated_from_the_current_seeds() -> None:
    committed = (PROJECT_ROOT / "models" / "docs" / "_indicators.md").read_text(encoding="utf-8")
    assert committed == make_indicator_docs.render(), "run python -m riia.docs"
    figures = make_indicator_docs.FIGURES_YAML.read_text(encoding="utf-8")
    assert figures == make_indicator_docs.render_figures_yaml(), "run python -m riia.docs"


@pytest.mark.build
def test_every_model_seed_snapshot_source_macro_and_exposure_is_described(docs: dict) -> None:
    manifest = docs["manifest"]
    undocumented = [
        n["unique_id"] for n in project_nodes(manifest, "model", "seed", "snapshot") if not n["description"].strip()
    ]
    undocumented += [
        s["unique_id"]
        for s in manifest["sources"].values()
        if not s["description"].strip() or not s["source_description"].strip()
    ]
    undocumented += [
        m["unique_id"]
        for m in manifest["macros"].values()
        if m["package_name"] == "riia" and not m["description"].strip()
    ]
    undocumented += [e["unique_id"] for e in manifest["exposures"].values() if not e["description"].strip()]
    assert undocumented == []


@pytest.mark.build
def test_every_column_in_the_database_is_described(docs: dict) -> None:
    manifest, catalog = docs["manifest"], docs["catalog"]
    total = missing = 0
    gaps = []
    for unique_id, entry in catalog["nodes"].items():
        node = manifest["nodes"].get(unique_id)
        if node is None or node["package_name"] != "riia" or node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        described = {name.lower(): col["description"].strip() for name, col in node["columns"].items()}
        for column in entry["columns"]:
            total += 1
            if not described.get(column.lower()):
                missing += 1
                gaps.append(f"{node['name']}.{column}")
    print(f"column description coverage: {total - missing}/{total}")
    assert total > 400
    assert gaps == []


@pytest.mark.build
def test_every_model_states_its_grain(docs: dict) -> None:
    """Its primary-key test, or the exception that says why it has none, is
    test_project_shape's (test_every_model_has_a_primary_key_test_and_not_null_keys)."""
    models = project_nodes(docs["manifest"], "model")
    no_grain = [m["name"] for m in models if "one row per" not in m["description"].lower()]
    assert models and no_grain == []


@pytest.mark.build
def test_audience_outputs_are_public_contracted_exposed_and_nothing_else_is_public(docs: dict) -> None:
    manifest = docs["manifest"]
    exposed = {node for e in manifest["exposures"].values() for node in e["depends_on"]["nodes"]}
    for model in project_nodes(manifest, "model"):
        if model["name"].startswith("shr_"):
            assert model["access"] == "public" and model["config"]["contract"]["enforced"], model["name"]
            assert model["unique_id"] in exposed, model["name"]
        else:
            assert model["access"] in ("private", "protected"), model["name"]
    # one exposure per kind of recipient: the four of SHARING.md and the agreed organisations
    # of London MoU App. B (audiences that need authorisation)
    assert {e["config"]["meta"]["audience"] for e in manifest["exposures"].values()} == {
        "regional",
        "dfe",
        "d2i",
        "adcs",
        "agreed",
    }


@pytest.mark.build
def test_static_docs_site_is_one_self_contained_file(docs: dict) -> None:
    html = docs["static"].read_text(encoding="utf-8")
    assert len(html) > 100_000
    assert "shr_adcs__national" in html and "fct_benchmarks" in html


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("!/model/model.riia.fct_benchmarks", ("fct_benchmarks", "tartan rug", "quartile_in_england")),
        ("!/exposure/exposure.riia.adcs_national_aggregate", ("ADCS (national aggregate only", "shr_adcs__national")),
        ("!/seed/seed.riia.sharing_agreements", ("sharing_agreements", "terminated_on", "SE's 2019 MoU")),
    ],
)
def test_docs_site_renders_offline_in_a_browser(
    chromium: str,  # noqa: F811 - the fixture imported from browser
    docs: dict,
    tmp_path: Path,
    fragment: str,
    expected: tuple[str, ...],
) -> None:
    rendered = render(
        chromium,
        docs["static"],
        fragment=fragment,
        screenshot=True,
        wait_for=f"document.body.innerText.includes({json.dumps(expected[-1])})",
    )
    (tmp_path / "dbt_docs.png").write_bytes(rendered.screenshot or b"")
    # dbt's docs app asks for two icon URLs and a favicon whose templates it has not filled
    # in yet (`{{ getIcon(...) }}`, `${require(...)}`: "%7B" in the logged file: URL). Those
    # are logged, not thrown, and fetch nothing; anything else - an exception, a console
    # error, a failed load of a real file - fails the test.
    errors = [e for e in rendered.errors if not ("file:///" in e and "%7B" in e)]
    assert errors == []
    assert rendered.external_requests == [], "the docs site must work with no network"
    for text in expected:
        assert text in rendered.text, text
