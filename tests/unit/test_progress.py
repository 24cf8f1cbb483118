import io

from rightfit.progress import PlainProgress, RichProgress, SilentProgress, make_progress
from rightfit.search import Trial


def _trial(n, score):
    return Trial(number=n, family="lightgbm", params={}, status="ok", score=score, loss=-score)


def test_plain_progress_prints_stages_and_throttled_trial_lines():
    stream = io.StringIO()
    progress = PlainProgress(stream=stream, verbose=1)
    progress.stage("load", "data.csv: 10 rows")
    progress.start_search(30, "roc_auc")
    for i in range(5):
        progress.trial(_trial(i, 0.8 + i / 100), _trial(i, 0.84), 20 - i)
    progress.end_search("5 trials")
    text = stream.getvalue()
    assert "[load] data.csv: 10 rows" in text and "[search] 5 trials" in text
    assert text.count("trials ") == 1  # one trial line per 5 s at verbose=1


def test_rich_progress_runs_a_live_status_without_errors(capsys):
    progress = RichProgress(verbose=2)
    progress.start_search(10, "roc_auc")
    progress.trial(_trial(0, 0.81), _trial(0, 0.81), 9)
    progress.end_search("1 trial")
    assert "1 trial" in capsys.readouterr().err


def test_quiet_and_pipe_reporters_are_chosen_by_verbosity_and_terminal():
    assert isinstance(make_progress(0), SilentProgress)
    assert isinstance(make_progress(1, stream=io.StringIO()), PlainProgress)
