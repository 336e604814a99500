"""Report text without machine paths or internal keys (issue 22 item 7): absolute paths shown relative to the
working directory, convention keys by readable names."""
from __future__ import annotations

import os

from analysis.report.text import relative_paths, shown_path
from analysis.report.vot import convention_name


def test_relative_paths_in_text(tmp_path):
    cwd = tmp_path / "work" / "main"
    (cwd / "output").mkdir(parents=True)
    (tmp_path / "work" / "shared").mkdir()
    runs, shared = cwd / "output" / "runs", tmp_path / "work" / "shared" / "data.json"
    text = f"Results: {runs}; annotations: {shared}. See ({runs}/x)."
    assert relative_paths(text, cwd) == "Results: output/runs; annotations: ../shared/data.json. See (output/runs/x)."
    # not paths: ratios, toolkit pairs, URLs, paths whose first folder does not exist here
    plain = "100 Σ F_s / Σ N_s, exp(-30·F/N), LEG/PST, https://github.com/a/b, /no-such-root-xyz/a"
    assert relative_paths(plain, cwd) == plain
    assert shown_path("output/x", cwd) == "output/x"  # relative paths stay
    far = os.path.join(os.sep, *["..", "x"])  # climbing more than 2 levels: home-relative or unchanged
    assert shown_path(os.path.abspath(far), cwd / "a" / "b" / "c") in (os.path.abspath(far), "~" + far)


def test_convention_names_are_readable():
    assert convention_name("overlap.analysis.metrics.overlap.accuracy") == "overlap rule for accuracy"
    assert convention_name("overlap.analysis.metrics.overlap.eao") == "overlap rule for EAO"
    assert convention_name("burn_in").startswith("burn-in")
    assert convention_name("new_key.sub") == "new key, sub"


def test_vot_report_has_no_absolute_path_or_internal_key(tmp_path, monkeypatch):
    from analysis.report.build import ReportRequest, assemble_report
    from analysis.report.document import write_report
    from tests.test_report import STYLE, _write_synthetic

    ann, tracker = _write_synthetic(tmp_path)
    monkeypatch.chdir(tmp_path)
    content = assemble_report(ReportRequest(tracker, tmp_path / "out", "vot2017", ann, style=STYLE))
    assert str(tmp_path) in content.subtitle  # the content keeps the paths it was given ...
    html = write_report(content, tmp_path / "out")
    for text in (html.read_text(), (tmp_path / "out" / "report.md").read_text()):
        assert str(tmp_path) not in text  # ... the written report shows them relative to the working directory
        assert "Results: T; annotations: ann.json" in text
        assert "analysis.metrics.overlap.accuracy" not in text and "overlap rule for accuracy" in text
