"""Published baselines in a report: the benchmark's published rows and the subset drawn next to a run."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.published import percentage_notes, published_scores
from analysis.sequence_lists import BenchmarkMatch
from analysis.stacks import BenchmarkSpec


def tracker_key(name: str) -> str:
    """Name normalised for matching a run with published rows (case and punctuation ignored)."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum() or ch == "+")


def published_table(spec: BenchmarkSpec, experiment: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Published rows of the benchmark (``analysis.published``) and the warnings about them (none today)."""
    table = published_scores(spec.published, experiment)
    return table.reset_index(drop=True), []


def select_published(published: pd.DataFrame, column: str, around: float | None = None, limit: int = 12) -> pd.DataFrame:
    """Published rows with a ``column`` value to show next to the run, at most ``limit``.

    All rows of the project's committed paper tables (the paper's own comparison set) are kept; the rest
    is filled with the published trackers whose score is closest to ``around`` (the run), so a figure shows
    the run's neighbourhood rather than only the newest trackers.
    """
    if not len(published) or column not in published:
        return published.iloc[0:0]
    rows = published[pd.to_numeric(published[column], errors="coerce").notna()]
    committed = rows["table"].notna() if "table" in rows else pd.Series(False, index=rows.index)
    chosen = rows[committed].head(limit)
    rest = rows[~committed]
    if around is not None and np.isfinite(around) and len(rest):
        distance = np.abs(rest[column].to_numpy(dtype=np.float64) - around)
        rest = rest.iloc[np.argsort(distance, kind="stable")]
    return pd.concat([chosen, rest.head(max(0, limit - len(chosen)))])


def _score_table(published: pd.DataFrame, column: str, around: float | None = None, limit: int = 12) -> pd.DataFrame:
    """``tracker, score`` rows for a figure's published-only list (:func:`select_published`)."""
    chosen = select_published(published, column, around, limit)
    if not len(chosen):
        return pd.DataFrame(columns=["tracker", "score"])
    return chosen[["tracker", column]].rename(columns={column: "score"}).reset_index(drop=True)


def normalise_published(table: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Surface the published rows whose percentages ``analysis.published`` converted to fractions."""
    warnings.extend(percentage_notes(table))
    return table


def published_one_pass(spec: BenchmarkSpec, tracker: str, trackers, match: BenchmarkMatch,
                       warnings: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published one-pass (``ope``) rows of ``spec`` for a report of ``trackers`` (names; ``tracker`` is the
    run): the rows of trackers without raw results here (listed by their scores) and the run's own row (empty
    unless ``match`` is like for like). ``warnings`` gets the like-for-like warning and the tables' notes."""
    if not match.comparable:
        warnings.append(f"not like for like: {match.reason}; published {spec.published} scores are listed apart, "
                        "never ranked with these results")
    published, notes = published_table(spec, "ope")
    warnings += notes
    published = normalise_published(published, warnings)
    raw_keys = {tracker_key(t) for t in trackers}
    pub_only = published[~published["tracker"].map(tracker_key).isin(raw_keys)] if len(published) else published
    pub_run = published[published["tracker"].map(tracker_key) == tracker_key(tracker)] if len(published) else published
    if not match.comparable:
        pub_run = pub_run.iloc[0:0]
    return pub_only, pub_run
