"""Published baseline scores as pandas tables, each row with its ``source``.

Sources, in priority order (a lower one is dropped when a higher one already has the row, see below):
1. ``results/published/*.csv``: the SiamRPN paper's tables typed for this project (Tables 1-3, Sec. 5.4,
   OTB-2015 of Fig. 9 where a number is published).
2. ``../shared/data/published/siamrpn_paper.csv`` (an independent typing of the same tables), when present.
3. ``../shared/data/published/pysot_MODEL_ZOO.md`` (pysot models; cells ``EAO/A/R`` and ``AUC/Prec.``).
4. ``../shared/data/published/sot_published_numbers.csv`` (JudasDie/Comparison; cells ``A/R/EAO``,
   ``AUC/Prec`` or ``(OTB13 AUC/Prec)/(OTB15 AUC/Prec)``; ``-`` = not published). Unparseable cells
   (typos such as ``0..391``) become NaN and keep the raw text in ``raw``.

Deduplication: rows describe the same result when benchmark, experiment and tracker name match after
normalisation (case, punctuation: ``CSR-DCF`` = ``CSRDCF``); also when benchmark and tracker match and the
main score (EAO, AUC or AO) is identical, since secondary lists copy numbers with the experiment unlabelled
(JudasDie lists SiamRPN's VOT2017 *real-time* EAO 0.243 under "VOT17").
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.paths import PUBLISHED_DIR, shared_data_dir
from analysis.stacks import BENCHMARKS

SHARED_PUBLISHED = shared_data_dir() / "published"

COLUMNS = ["benchmark", "experiment", "tracker", "eao", "accuracy", "robustness", "failures", "efo", "fps",
           "auc", "precision", "ao", "sr50", "sr75", "raw", "source"]

#: lower-case names -> published key: every benchmark row's name (analysis.stacks.BENCHMARKS), its results-path
#: words, and the names the published lists use
_BENCHMARK_ALIASES = {
    **{f"vot{y}": f"VOT{y}" for y in range(2013, 2023)}, **{f"vot{y % 100}": f"VOT{y}" for y in range(2013, 2023)},
    **{word: b.published for b in BENCHMARKS.values() for word in b.path_words},
    **{key: b.published for key, b in BENCHMARKS.items()},
    "otb100": "OTB2015", "otb15": "OTB2015", "otb": "OTB2015", "otb13": "OTB2013",
    "got-10k": "GOT-10k", "tnl2k": "TNL2K",
}

#: sot_published_numbers.csv column prefix -> (benchmark, experiment, metric names of the cell parts)
_SOT_COLUMNS = {
    "LaSOT": ("LaSOT", "ope", ("auc", "precision")),
    "GOT10k": ("GOT-10k", "test", ("ao", "sr50", "sr75")),
    "TrackingNet": ("TrackingNet", "ope", ("auc", "precision")),
    "VOT20": ("VOT2020", "baseline", ("accuracy", "robustness", "eao")),
    "VOT19": ("VOT2019", "baseline", ("accuracy", "robustness", "eao")),
    "VOT18": ("VOT2018", "baseline", ("accuracy", "robustness", "eao")),
    "VOT17": ("VOT2017", "baseline", ("accuracy", "robustness", "eao")),
    "VOT16": ("VOT2016", "baseline", ("accuracy", "robustness", "eao")),
    "UAV123": ("UAV123", "ope", ("auc", "precision")),
    "NFS": ("NFS", "ope", ("auc", "precision")),
    "TC128": ("TC128", "ope", ("auc", "precision")),
    "TNL2K": ("TNL2K", "ope", ("auc", "precision")),
}
_NUMBER = re.compile(r"^\d*\.?\d+$")


def canonical_benchmark(name: str) -> str:
    """``otb100`` / ``OTB2015`` -> ``OTB2015``; ``got10k`` -> ``GOT-10k``; unknown names pass through."""
    return _BENCHMARK_ALIASES.get(name.strip().lower(), name.strip())


def _tracker_key(name: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", str(name).lower())


def parse_score_cell(cell: str, parts: int) -> list[float] | None:
    """``"0.56/-/0.344"`` -> ``[0.56, nan, 0.344]``; ``"-"`` or empty -> all NaN; malformed -> ``None``."""
    cell = (cell or "").strip()
    if cell in ("", "-", "()"):
        return [np.nan] * parts
    fields = cell.split("/")
    if len(fields) != parts:
        return None
    out = []
    for f in fields:
        f = f.strip()
        if f in ("", "-"):
            out.append(np.nan)
        elif _NUMBER.match(f):
            out.append(float(f))
        else:
            return None
    return out


def _otb_cell(cell: str) -> dict[str, list[float] | None]:
    """OTB13/15 cell: ``(a/p)/(a/p)`` gives both years, a bare ``a/p`` is read as OTB-2015 (recent papers)."""
    cell = (cell or "").strip()
    m = re.fullmatch(r"(\(.*?\)|-)/(\(.*?\)|-)", cell)
    if m:
        return {"OTB2013": parse_score_cell(m.group(1).strip("()"), 2),
                "OTB2015": parse_score_cell(m.group(2).strip("()"), 2)}
    return {"OTB2015": parse_score_cell(cell, 2)}


def read_sot_published_numbers(path: str | Path) -> pd.DataFrame:
    """Long table from JudasDie/Comparison's CSV (second header line skipped, empty cells dropped)."""
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = table[table.iloc[:, 0] != "Conf."]
    rows = []
    for _, r in table.iterrows():
        conf, tracker = r.iloc[0], r.iloc[1]
        src = f"JudasDie/Comparison README ({conf}) via shared sot_published_numbers.csv"
        for column, cell in r.iloc[2:].items():
            prefix = column.split()[0]
            if prefix == "OTB13/15":
                for bench, values in _otb_cell(cell).items():
                    rows.append(_row(bench, "ope", tracker, ("auc", "precision"), values, cell, src))
            elif prefix in _SOT_COLUMNS:
                bench, exp, names = _SOT_COLUMNS[prefix]
                rows.append(_row(bench, exp, tracker, names, parse_score_cell(cell, len(names)), cell, src))
    out = pd.DataFrame([r for r in rows if r is not None], columns=COLUMNS)
    return out.drop_duplicates(subset=["benchmark", "experiment", "tracker", "raw"], keep="first")


#: scores that are fractions in [0, 1]; some published lists type them as percentages (ATOM's OTB AUC "66.7")
FRACTION_SCORES = frozenset({"eao", "accuracy", "auc", "precision", "ao", "sr50", "sr75"})
PERCENT_NOTE = "typed as a percentage"
RANGE_NOTE = "is not a fraction nor a percentage, dropped"


def _row(bench, exp, tracker, names, values, cell, src):
    if values is not None and all(np.isnan(v) for v in values):
        return None  # not published
    row = {c: np.nan for c in COLUMNS}
    row.update(benchmark=bench, experiment=exp, tracker=tracker, raw=cell, source=src)
    if values is None:
        row["source"] = src + " (cell not parseable, kept raw)"
        return row
    fixed = []
    for name, value in zip(names, values):
        if name in FRACTION_SCORES and 1.0 < value <= 100.0:
            fixed.append(f"{name} {value:g} {PERCENT_NOTE}, read as {value / 100:.3f}")
            value = value / 100.0
        elif name in FRACTION_SCORES and value > 100.0:
            fixed.append(f"{name} {value:g} {RANGE_NOTE}")  # e.g. ACFN's OTB precision "802": a typo, not guessed
            value = np.nan
        row[name] = value
    if fixed:
        row["source"] = f"{src} ({'; '.join(fixed)})"
    return row


def percentage_notes(table: pd.DataFrame) -> list[str]:
    """Warnings for rows whose scores were published as percentages (converted) or out of range (dropped)."""
    if not len(table) or "source" not in table:
        return []
    source = table["source"].astype(str)
    hit = table[source.str.contains(PERCENT_NOTE, regex=False) | source.str.contains(RANGE_NOTE, regex=False)]
    return [f"published scores of {r['tracker']} ({r['benchmark']}): {r['source']}" for _, r in hit.iterrows()]


def read_pysot_model_zoo(path: str | Path) -> pd.DataFrame:
    """pysot ``MODEL_ZOO.md`` short-term table: VOT16/18/19 ``EAO/A/R``, OTB2015 ``AUC/Prec.``, speed."""
    path = Path(path)
    rows = []
    src = "pysot MODEL_ZOO.md (STVIR/pysot) via shared pysot_MODEL_ZOO.md; speed on a GTX 1080Ti"
    for line in path.read_text().splitlines():
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 7 or not re.fullmatch(r"[a-z0-9_]+", cells[0] or "-"):
            continue
        model = cells[0]
        fps = float(cells[6]) if _NUMBER.match(cells[6]) else np.nan
        for bench, cell in (("VOT2016", cells[1]), ("VOT2018", cells[2]), ("VOT2019", cells[3])):
            row = _row(bench, "baseline", model, ("eao", "accuracy", "robustness"), parse_score_cell(cell, 3), cell, src)
            if row:
                rows.append({**row, "fps": fps})
        row = _row("OTB2015", "ope", model, ("auc", "precision"), parse_score_cell(cells[4], 2), cells[4], src)
        if row:
            rows.append({**row, "fps": fps})
    return pd.DataFrame(rows, columns=COLUMNS)


def read_committed(directory: Path = PUBLISHED_DIR) -> pd.DataFrame:
    """All committed ``results/published/*.csv`` tables, harmonised to :data:`COLUMNS`."""
    frames = []
    for csv in sorted(directory.glob("*.csv")):
        t = pd.read_csv(csv)
        t["table"] = csv.stem
        frames.append(t)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _sources(shared: Path | None) -> list[pd.DataFrame]:
    out = [read_committed()]
    if shared is not None and shared.is_dir():
        paper = shared / "siamrpn_paper.csv"
        if paper.is_file():
            t = pd.read_csv(paper)
            t["source"] = t["source"].astype(str) + " (shared siamrpn_paper.csv)"
            out.append(t)
        zoo = shared / "pysot_MODEL_ZOO.md"
        if zoo.is_file():
            out.append(read_pysot_model_zoo(zoo))
        sot = shared / "sot_published_numbers.csv"
        if sot.is_file():
            out.append(read_sot_published_numbers(sot))
    return out


def _main_score(row: pd.Series) -> float:
    for c in ("eao", "auc", "ao"):
        if c in row and pd.notna(row[c]):
            return round(float(row[c]), 4)
    return np.nan


def published_scores(benchmark: str | None = None, experiment: str | None = None,
                     shared: Path | None = SHARED_PUBLISHED) -> pd.DataFrame:
    """Published scores for ``benchmark`` (alias-tolerant: ``otb100``, ``got10k``, ``vot16`` ...) and
    optionally ``experiment`` (``baseline``, ``realtime``, ``ope``, ``ablation-A5-ytb`` ...), one row per
    result, highest-priority source kept (module docstring). ``shared=None`` uses the committed CSVs only.
    """
    sources = _sources(shared)
    extra = [c for s in sources for c in s.columns if c not in COLUMNS + ["table"]]
    order = COLUMNS + ["table"] + list(dict.fromkeys(extra))
    combined = pd.concat([s.reindex(columns=order) for s in sources], ignore_index=True)
    combined["benchmark"] = combined["benchmark"].map(canonical_benchmark)
    if benchmark is not None:
        combined = combined[combined["benchmark"] == canonical_benchmark(benchmark)]
    combined = combined.assign(_key=combined["tracker"].map(_tracker_key),
                               _score=combined.apply(_main_score, axis=1))
    combined = combined.drop_duplicates(subset=["benchmark", "experiment", "_key"], keep="first")
    scored = combined[combined["_score"].notna()]
    dup_score = scored.duplicated(subset=["benchmark", "_key", "_score"], keep="first")
    combined = combined.drop(index=scored.index[dup_score])
    if experiment is not None:
        combined = combined[combined["experiment"] == experiment]
    always = {"benchmark", "experiment", "tracker", "source"}
    keep = [c for c in order if c in always or combined[c].notna().any()]
    return combined[keep].reset_index(drop=True)
