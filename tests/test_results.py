"""Each committed result says how it was produced; a missing one is a clear error."""

import pytest

from course_lib import results


def test_missing_result_names_the_fix():
    with pytest.raises(FileNotFoundError, match="Run the benchmark"):
        results.load("no_such_result")


@pytest.mark.parametrize("name", results.available())
def test_results_record_command_hardware_and_date(name):
    record = results.load(name)
    assert {"command", "hardware", "date"} <= set(record), f"{name} lacks provenance"


def test_save_is_atomic_and_round_trips(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "FOLDER", tmp_path)
    results.save("x", {"a": 1})
    assert results.load("x") == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
