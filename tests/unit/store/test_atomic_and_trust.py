import pytest

from rightfit.store import TRUSTED_PREFIXES, atomic_write_bytes, atomic_write_text, why_untrusted


def test_atomic_write_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "record.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "néw")
    assert target.read_text(encoding="utf-8") == "néw"
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "record.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "record.json"
    atomic_write_text(target, "old")

    def fail(*args):
        raise OSError("no space")

    monkeypatch.setattr("rightfit.store._atomic.os.replace", fail)
    with pytest.raises(OSError):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


@pytest.mark.parametrize(
    "name",
    [
        "sklearn.tree._tree.Tree",
        "sklearn.neighbors._kd_tree.KDTree",
        "numpy.dtype",
        "numpy.float32",
        "numpy.random._generator.Generator",
        "scipy.sparse._csr.csr_matrix",
        "scipy.special.expit",
        "lightgbm.sklearn.LGBMClassifier",
        "lightgbm.basic.Booster",
        "xgboost.sklearn.XGBRegressor",
        "xgboost.core.Booster",
        "collections.OrderedDict",
        "builtins.dict",
    ],
)
def test_types_real_models_need_are_trusted(name):
    assert why_untrusted(name) == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("builtins.eval", "not on the allowlist"),
        ("builtins.open", "not on the allowlist"),
        ("os.system", "not on the allowlist"),
        ("posix.system", "not on the allowlist"),
        ("functools.partial", "not on the allowlist"),
        ("numpy.memmap", "not a dtype"),
        ("numpy.load", "not a dtype"),
        ("numpy.testing.assert_equal", "not a dtype"),
        ("scipy.io.netcdf_file", "not on the allowlist"),
        ("sklearn.datasets.fetch_openml", "not on the allowlist"),
        ("sklearn.utils.check_array", "a function"),
        ("lightgbm.basic.Dataset", "not on the allowlist"),
        ("sklearn.no_such_module.Thing", "not found"),
    ],
)
def test_dangerous_or_unknown_types_are_refused(name, reason):
    assert reason in why_untrusted(name)


def test_extra_prefixes_extend_the_allowlist():
    assert why_untrusted("json.JSONDecoder") == "not on the allowlist"
    assert why_untrusted("json.JSONDecoder", extra_prefixes=("json.",)) == ""
    assert "rightfit." in TRUSTED_PREFIXES


def test_rightfit_functions_and_reimported_modules_are_refused():
    from rightfit.store import why_untrusted

    assert why_untrusted("rightfit.pipeline.run") != ""
    assert why_untrusted("rightfit.api.os") != ""
    assert why_untrusted("rightfit.ensemble._model.WeightedEnsemble") == ""
