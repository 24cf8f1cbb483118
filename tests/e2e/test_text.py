"""Text tables through the real CLI: a message-only table and a mixed one; SMS spam when present."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests._data import make_table, shared_dataset
from tests.e2e._cli import run_cli

pytestmark = pytest.mark.slow

SPAM = ["win a free prize now", "claim your cash reward today", "free entry call now to win"]
HAM = ["see you at lunch later", "can you pick up milk", "running late be there soon"]


def _messages(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = rng.choice(["spam", "ham"], n, p=[0.3, 0.7])
    message = [
        f"{rng.choice(SPAM if lab == 'spam' else HAM)} {rng.choice(['ok', 'pls', 'thx'])} {i}"
        for i, lab in enumerate(label)
    ]
    return pd.DataFrame({"label": label, "message": message})


def test_message_only_table_fits_and_predicts(tmp_path):
    train = tmp_path / "sms.csv"
    _messages(300, 0).to_csv(train, index=False)
    new = tmp_path / "new.csv"
    _messages(20, 1).drop(columns="label").to_csv(new, index=False)
    fit = run_cli(
        "fit", train, "--target", "label", "--models", "text_tfidf,linear",
        "--time-budget", 20, "--out", tmp_path / "m",
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    record = json.loads(run_cli("info", tmp_path / "m", "--json").stdout)
    assert {"text_tfidf"} <= {e["family"] for e in record["leaderboard"]["entries"]}
    roles = {c["name"]: c["role"] for c in record["schema"]["columns"]}
    assert roles["message"] == "text"
    assert record["evaluation"] is not None
    pred = run_cli("predict", tmp_path / "m", new, "--out", tmp_path / "pred.csv")
    assert pred.returncode == 0, pred.stderr
    out = pd.read_csv(tmp_path / "pred.csv")
    assert len(out) == 20 and {"prediction", "proba_ham", "proba_spam"} <= set(out.columns)


def test_mixed_table_with_text_numbers_and_labels(tmp_path):
    frame = make_table(300, "binary")
    rng = np.random.default_rng(2)
    frame["comment"] = [
        f"{rng.choice(HAM if c == 'no' else SPAM)} with a few more words, ticket {i}"
        for i, c in enumerate(frame["churn"])
    ]
    train = tmp_path / "mixed.csv"
    frame.to_csv(train, index=False)
    fit = run_cli(
        "fit", train, "--target", "churn", "--models", "text_tfidf,lightgbm",
        "--time-budget", 40, "--out", tmp_path / "m",
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    record = json.loads(run_cli("info", tmp_path / "m", "--json").stdout)
    ok = {e["family"] for e in record["leaderboard"]["entries"] if e["status"] == "ok"}
    assert ok == {"text_tfidf", "lightgbm"}
    accuracy = {m["name"]: m["value"] for m in record["evaluation"]["metrics"]}["accuracy"]
    assert accuracy > 0.9


@pytest.mark.shared
def test_sms_spam_text_beats_the_majority_class(tmp_path):
    path = shared_dataset("sms_spam/sms_spam.csv")
    fit = run_cli(
        "fit", path, "--target", "label", "--models", "text_tfidf",
        "--time-budget", 40, "--out", tmp_path / "m",
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    record = json.loads(run_cli("info", tmp_path / "m", "--json").stdout)
    metrics = {m["name"]: m["value"] for m in record["evaluation"]["metrics"]}
    assert metrics["accuracy"] > 0.97 and metrics["f1"] > 0.88
