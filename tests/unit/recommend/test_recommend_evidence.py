"""The record carries each candidate's lift with its interval and verdict; the report page and
the terminal summary show the protocol, the user groups and that evidence; old records render."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from rightfit.cli import app
from rightfit.cli._cmd_segment import recommend_summary as printed_by_recommend
from rightfit.cli._show import recommend_summary, record_summary
from rightfit.report import _recommend as section
from rightfit.report import render_report

pytestmark = pytest.mark.slow

NEW_KEYS = ("lift_ci", "lift_ci_known_users", "verdict", "verdict_known_users")


@pytest.fixture
def model(planted_model):
    return planted_model


def _candidate(record: dict, family: str) -> dict:
    return next(c for c in record["candidates"] if c["family"] == family)


def test_every_evaluated_candidate_has_its_lift_interval_and_verdict(model):
    record = model.record
    assert not any(k in _candidate(record, "popularity") for k in NEW_KEYS)  # the baseline
    base = record["metrics_at_10"]["popularity"]
    for family in set(record["metrics_at_10"]) - {"popularity"}:
        c = _candidate(record, family)
        for key, name in (("ndcg_at_10", "ndcg"), ("recall_at_10", "recall")):
            ci = c["lift_ci"][key]
            low, high = ci["ci95"]
            assert low <= ci["difference"] <= high and 0 <= ci["p_better"] <= 1
            # the difference is the held-out difference of the means
            assert ci["difference"] == pytest.approx(c["at_10"][name] - base[name], abs=2e-5)
            assert set(c["lift_ci_known_users"][key]) == {"difference", "ci95", "p_better"}
        # planted tastes: both families clearly beat popularity, and the verdict says so
        assert c["lift_ci"]["ndcg_at_10"]["ci95"][0] > 0
        assert c["verdict"].startswith("beats popularity: NDCG@10 +")
        assert c["verdict"].endswith(f"over {record['cold_start']['evaluated_users']:,} users")
        assert "users with a history" in c["verdict_known_users"]
    method = record["lift_uncertainty"]
    assert method["resamples"] == 1000 and method["used_for_choice"] is False
    json.dumps(record, allow_nan=False)


def test_choice_stays_on_validation_and_its_verdict_is_in_the_reason(model):
    record = model.record
    evaluated = [c for c in record["candidates"] if c["status"] == "ok"]
    best = max(evaluated, key=lambda c: (c["validation_ndcg_at_10"], c["family"] == "popularity"))
    assert record["chosen"]["family"] == best["family"]
    chosen = _candidate(record, best["family"])
    assert chosen["verdict"] in record["chosen"]["reason"]
    assert chosen["verdict_known_users"] in record["chosen"]["reason"]
    assert record["chosen"]["verdict"] == chosen["verdict"]


def test_info_json_carries_the_new_keys(model, tmp_path):
    path = model.save(tmp_path / "recs")
    result = CliRunner().invoke(app, ["info", str(path), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    for c in record["candidates"]:
        if c["family"] != "popularity" and c["status"] == "ok":
            assert all(k in c for k in NEW_KEYS)
    assert "lift_uncertainty" in record and "verdict" in record["chosen"]
    text = CliRunner().invoke(app, ["info", str(path)])
    assert text.exit_code == 0 and "against popularity" in text.output


def test_terminal_summary_shows_protocol_groups_and_intervals(model):
    record = model.record
    text = recommend_summary(record)
    assert printed_by_recommend(record) == text == record_summary(record)
    assert "protocol: Already-bought items excluded (the default)" in text
    share = record["protocol"]["repeat_share_of_held_out_pairs"]
    assert f"{share * 100:.1f} % of the held-out purchases" in text
    assert "run with --repeats to recommend them" in text
    assert "240 with a purchase history and 2 cold-start" in text
    assert "hist NDCG" in text
    known = _candidate(record, "item_knn")["at_10_known_users"]["ndcg"]
    row = next(line for line in text.splitlines() if line.startswith("item_knn"))
    assert f"{known:.4f}" in row  # users with a history beside all users
    assert _candidate(record, "item_knn")["verdict"] in text
    assert _candidate(record, "als")["verdict_known_users"] in text
    assert "chosen:" in text and "cold start: 2 of" in text


def test_report_shows_protocol_groups_and_intervals(model):
    record = model.record
    page = render_report(record)
    assert "could not be" not in page.lower()
    top = section.summary(record)
    assert "Already-bought items excluded (the default)" in top
    assert "run with --repeats to recommend them" in top
    assert "240 with a purchase history and 2 cold-start" in top
    assert "NDCG@10, users with a history" in top
    chosen = _candidate(record, record["chosen"]["family"])
    assert section.e(chosen["verdict"]) in top
    ci = chosen["lift_ci"]["ndcg_at_10"]
    assert section.interval(ci) in top
    body = section.candidates(record)
    for family in ("item_knn", "als"):
        c = _candidate(record, family)
        assert section.e(c["verdict_known_users"]) in body
        assert section.interval(c["lift_ci_known_users"]["recall_at_10"]) in body
        assert section.fmt(c["at_10_known_users"]["ndcg"], 4) in body
    assert "with a history (240)" in body
    assert "not counted as targets" in section.evaluation_design(record)


def test_repeats_protocol_in_plain_words(model):
    record = copy.deepcopy(model.record)
    record["repeats"] = True
    record["protocol"]["repeats_allowed"] = True
    words = " ".join(section.protocol_words(record))
    assert "included (--repeats)" in words and "they count as targets here" in words
    assert "run with --repeats" not in words


def test_records_of_older_runs_still_render(model):
    old = copy.deepcopy(model.record)
    for key in ("protocol", "cold_start", "lift_uncertainty", "repeats"):
        old.pop(key)
    for key in ("verdict", "verdict_known_users"):
        old["chosen"].pop(key)
    for c in old["candidates"]:
        for key in (*NEW_KEYS, "at_10_known_users", "at_10_cold_start_users"):
            c.pop(key, None)
        c.pop("lift_over_popularity_known_users", None)
    text = recommend_summary(old)
    assert "protocol: Already-bought items excluded" in text  # the default, then and now
    assert "hist NDCG" not in text and "against popularity" not in text
    assert "item_knn" in text
    for build in (section.summary, section.candidates, section.evaluation_design):
        build(old)  # raises if a key is read without .get
    assert "could not be" not in render_report(old).lower()
