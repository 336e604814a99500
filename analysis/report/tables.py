"""Tables of a multi-tracker report: one summary row per tracker, and LaTeX (booktabs) export.

:func:`tracker_summary` turns an :class:`analysis.metrics.compare.Comparison` into the table a multi-tracker
report opens with (every tracker, ranked, baseline marked); :func:`latex_table` writes any table as a booktabs
``table`` environment (``\\toprule`` / ``\\midrule`` / ``\\bottomrule``, numbers to 3 decimals, the baseline row
in bold, LaTeX special characters escaped), for ``siamrpn report --format latex``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.metrics.compare import SCORES, Comparison

#: column headings of the scores (the paired columns keep their names)
SCORE_NAMES = {"eao": "EAO", "auc": "AUC", "ao": "AO", "sr50": "SR0.5", "sr75": "SR0.75", "fscore": "F-score",
               "norm_precision": "norm. precision", "fps": "fps"}

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tracker_summary(comparison: Comparison) -> pd.DataFrame:
    """One row per tracker in ranking order: ``rank, tracker, <scores of the kind>, fps, baseline`` (``baseline``
    is ``yes`` on the baseline's row)."""
    out = comparison.table().reset_index()[["rank", "tracker", *SCORES[comparison.kind], "fps"]]
    out["baseline"] = ["yes" if t == comparison.baseline else "" for t in out["tracker"]]
    return out


def ranking_table(comparison: Comparison) -> pd.DataFrame:
    """The ranking for a paper: ``rank, tracker, <scores>, fps`` and the paired test of the primary score against
    the baseline: difference, its 95% interval as text (``[low, high]``, ``--`` without one) and p."""
    table = comparison.table().reset_index()
    score = comparison.primary
    out = table[["rank", "tracker", *SCORES[comparison.kind], "fps"]].copy()
    name = SCORE_NAMES.get(score, score)
    if f"{score}_diff" in table:
        out[f"{name} diff"] = table[f"{score}_diff"]
        out["95% interval"] = [f"[{lo:.3f}, {hi:.3f}]" if np.isfinite(lo) and np.isfinite(hi) else "--"
                               for lo, hi in zip(table[f"{score}_diff_low"], table[f"{score}_diff_high"])]
        out["p"] = table[f"{score}_p"]
    return out


def latex_escape(text: object) -> str:
    """``text`` with LaTeX's special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _latex_cell(value: object) -> str:
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "--"
        if float(value).is_integer() and abs(value) >= 2:
            return f"{value:.0f}"
        return f"{value:.3f}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return latex_escape(value) if str(value) else ""


def latex_table(frame: pd.DataFrame, caption: str, label: str, bold: Sequence[str] = (),
                headings: dict[str, str] | None = None) -> str:
    """``frame`` as a LaTeX ``table`` with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``).

    Text columns are left-aligned, numeric ones right-aligned; NaN is ``--``; numbers as in the HTML report
    (3 decimals, integers >= 2 without). Rows whose ``tracker`` column (else first column) is in ``bold`` are
    set in ``\\textbf``. ``headings`` renames columns (default :data:`SCORE_NAMES`)."""
    headings = {**SCORE_NAMES, **(headings or {})}
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    key = frame["tracker"] if "tracker" in frame.columns else (frame.iloc[:, 0] if len(frame.columns) else None)
    strong = set(map(str, bold))
    lines = [r"\begin{table}[t]", r"\centering", rf"\caption{{{latex_escape(caption)}}}",
             rf"\label{{{label}}}", r"\begin{tabular}{" + "".join("r" if n else "l" for n in numeric) + "}",
             r"\toprule", " & ".join(latex_escape(headings.get(str(c), c)) for c in frame.columns) + r" \\",
             r"\midrule"]
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = [_latex_cell(v) for v in row]
        if key is not None and str(key.iloc[i]) in strong:
            cells = [rf"\textbf{{{c}}}" if c and c != "--" else c for c in cells]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"
