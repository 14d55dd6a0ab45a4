"""`kg search`, search blocks in `kg query`, and a release whose search index is missing or damaged."""

from __future__ import annotations

import json
import shutil

from kg import store
from kg.cli import app
from kg.config import Settings


def test_kg_search_prints_a_table_json_or_csv(runner, settings, built):
    store = str(settings.store_dir)
    table = runner.invoke(app, ["search", "trophy hunting", "--store", store, "--limit", "3"])
    assert table.exit_code == 0 and "1.1.7" in table.stdout, table.output
    answer = json.loads(runner.invoke(app, ["search", "snow leo", "--store", store, "-f", "json"]).stdout)
    assert answer["hits"][0]["iri"].endswith("/taxon/uncia-uncia") and answer["facets"]["type"]
    csv = runner.invoke(app, ["search", "télémétrie", "--store", store, "-f", "csv", "-t", "activity"]).stdout
    assert csv.splitlines()[0] == "rank,type,code,label,score,iri" and "activity,2.3." in csv


def test_kg_search_refuses_bad_input_with_one_line(runner, settings, built):
    unknown = runner.invoke(app, ["search", "fences", "--store", str(settings.store_dir), "--type", "galaxy"])
    assert unknown.exit_code == 2 and unknown.output.count("error:") == 1 and "Traceback" not in unknown.output
    blank = runner.invoke(app, ["search", "   ", "--store", str(settings.store_dir)])
    assert blank.exit_code == 2 and "error: give the words" in blank.output


def test_kg_query_answers_search_blocks_from_the_local_index(runner, settings, built):
    query = (
        'SELECT ?a ?rank WHERE { SERVICE <https://w3id.org/mea-kg/search> { ?a mea:query "border fences" ; '
        'mea:type "activity" ; mea:limit 3 ; mea:rank ?rank } } ORDER BY ?rank'
    )
    result = runner.invoke(app, ["query", "--store", str(settings.store_dir), "--format", "csv", query])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0] == "a,rank" and len(rows) == 4 and rows[1].endswith(",1")


def test_a_release_without_its_index_or_with_a_damaged_one_is_refused(runner, built_copy: Settings):
    release = store.current_release(built_copy.store_dir)
    assert release is not None
    (release / "search" / "vectors.npy").write_bytes(b"damaged")
    damaged = runner.invoke(app, ["search", "fences", "--store", str(built_copy.store_dir)])
    assert damaged.exit_code == 3 and "does not match its manifest" in damaged.output, damaged.output
    shutil.rmtree(release / "search")
    missing = runner.invoke(app, ["serve", "--store", str(built_copy.store_dir), "--port", "0"])
    assert missing.exit_code == 3 and "error:" in missing.output and "Traceback" not in missing.output
