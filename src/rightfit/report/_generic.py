"""Report sections for records other than classification/regression (segmentation,
recommendation, images): their own sections when they provide them, else a readable dump."""

from __future__ import annotations

import json

from rightfit.report._page import e


def _dump(record: dict, key: str):
    def build(_record: dict) -> str:
        text = json.dumps(record[key], indent=1, default=str)[:20000]
        return f"<pre style='white-space:pre-wrap'>{e(text)}</pre>"

    return build


def sections_for(record: dict) -> list:
    skip = {"schema", "feature_reference", "versions", "files", "model_sha256"}
    return [
        (key, key.replace("_", " ").capitalize(), _dump(record, key))
        for key, value in record.items()
        if isinstance(value, (dict, list)) and key not in skip
    ]
