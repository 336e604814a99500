"""The EAO regression gate as a library: validate the reference, measure the tracker on the regression set,
compare with tolerances, re-check the analysis against published scores (docs/regression.md)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.atomic import write_text_atomic
from analysis.core.paths import REGRESSION_REFERENCE
from integration.jobs.regression.instrument import check_published, instrument_passes
from integration.jobs.regression.measure import dumps, measure, regression_cases
from integration.jobs.regression.reference import (
    ReferenceInvalid,
    ReferenceMissing,
    Tolerances,
    compare,
    format_table,
    gate_passes,
    load_reference,
    save_reference,
    tolerances_dict,
)

if TYPE_CHECKING:
    from integration.jobs.regression.measure import GateSettings

DEFAULT_REFERENCE = REGRESSION_REFERENCE


def _say(text: str = "") -> None:
    print(text, flush=True)


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "none"


def _weights_notice(ref: dict[str, Any], cur: dict[str, Any]) -> str | None:
    a, b = ref.get("weights", {}), cur.get("weights", {})
    if a.get("sha256") == b.get("sha256") and a.get("spec", "default") == b.get("spec", "default"):
        return None
    return (f"NOTE: the weights differ from the reference's: reference {a.get('path') or a.get('spec')} "
            f"sha256 {_short(a.get('sha256'))}, now {b.get('path') or b.get('spec')} sha256 {_short(b.get('sha256'))}. "
            "Metric changes may come from the new weights; if they are intended, run 'siamrpn regress --update' "
            "and commit the reference with them.")


def _set_notices(ref: dict[str, Any], cur: dict[str, Any]) -> list[str]:
    out = []
    for name, case in cur["cases"].items():
        old = ref["cases"].get(name)
        if old is None:
            out.append(f"NOTE: case {name!r} is not in the reference (reported as 'new', not compared); "
                       "add it with 'siamrpn regress --update'")
            continue
        a, b = old.get("info", {}), case.get("info", {})
        if a.get("set") != b.get("set") or a.get("lengths") != b.get("lengths"):
            out.append(f"NOTE: case {name!r}: the regression set changed since the reference was made "
                       f"(reference {a.get('lengths')}, now {b.get('lengths')}); re-make it with --update")
        elif a.get("eao_interval") != b.get("eao_interval"):
            out.append(f"NOTE: case {name!r}: EAO interval {b.get('eao_interval')} differs from the reference's "
                       f"{a.get('eao_interval')}")
    return out


def _interval_lines(cur: dict[str, Any]) -> list[str]:
    lines = []
    for name, case in cur["cases"].items():
        info = case["info"]
        o = case["overall"]
        lines.append(f"  {name}: {len(info['lengths'])} sequences, {info['frames']} frames, EAO interval "
                     f"[{info['eao_interval'][0]}, {info['eao_interval'][1]}] ({info['eao_interval_source']}); "
                     f"EAO {o['eao']:.4f}  A {o['accuracy']:.4f}  failures {o['failures']:g}  "
                     f"AUC {o['auc']:.4f}  P@20 {o['precision']:.4f}")
    return lines


def _instrument(out: Path) -> tuple[bool, list[str]]:
    """Run the published-score re-check; returns (passed, lines to print)."""

    table, notices = check_published()
    lines = list(notices)
    if table.empty:
        lines.append("instrument check: shared raw results absent, skipped")
        return True, lines
    write_text_atomic(out / "instrument.csv", table.to_csv(index=False))
    ok = instrument_passes(table)
    view = table.drop(columns=["source"])
    lines.append(f"instrument check ({len(table)} published scores re-computed from the raw results): "
                 + ("all reproduced" if ok else "DRIFT — the analysis no longer reproduces published scores"))
    lines.append(view.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return ok, lines


def gate(settings: "GateSettings", reference: Path, out: Path, update: bool = False, instrument: bool = True) -> int:
    """Measure, compare with (or rewrite) the reference, print the verdict; returns the exit status."""
    from tracker.weights import WeightsError  # lazy: keeps torch off the start-up of commands that do not track

    prog = "siamrpn regress"
    reference, out = Path(reference), Path(out)
    ref = None
    if not update or reference.exists():
        try:
            ref = load_reference(reference)
        except ReferenceMissing as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 2
        except ValueError as exc:
            if not update or (isinstance(exc, ReferenceInvalid) and exc.tolerances_bad):
                print(f"{prog}: error: {exc}", file=sys.stderr)
                if update:
                    print(f"{prog}: --update keeps the reference's tolerances: fix them first", file=sys.stderr)
                return 2
            ref = None  # --update replaces a malformed reference (its tolerances are valid or absent)
    try:
        cases, absent = regression_cases(settings)
        _say(f"{prog}: cases {', '.join(c.name for c in cases)}"
             + (f"; not run here: {', '.join(f'{k} ({v})' for k, v in absent.items())}" if absent else ""))
        current = measure(settings, out, cases)
    except (WeightsError, FileNotFoundError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # a unit crashed: the gate cannot vouch for the tracker
        print(f"{prog}: FAILED — {exc}", file=sys.stderr)
        return 1
    write_text_atomic(out / "current.json", dumps(current))
    _say(f"{prog}: weights {current['weights'].get('path') or current['weights']['spec']} "
         f"(sha256 {_short(current['weights']['sha256'])}), CPU, {settings.threads} thread(s) per worker, "
         f"seed {settings.seed}; tracker runs took {current['tracker']['seconds']:g} s on {settings.workers} worker(s)")
    for line in _interval_lines(current):
        _say(line)

    instrument_ok = True
    if instrument:
        instrument_ok, lines = _instrument(out)
        for line in lines:
            _say(line)

    if update:
        tol = Tolerances(**ref["tolerances"]) if ref and "tolerances" in ref else Tolerances()
        new = {**current, "tolerances": tolerances_dict(tol)}
        kept = []
        for name in absent:
            if ref and name in ref.get("cases", {}):
                new["cases"][name] = ref["cases"][name]
                kept.append(name)
        save_reference(reference, new)
        _say(f"{prog}: reference written: {reference}")
        if kept:
            _say(f"NOTE: case(s) {', '.join(kept)} kept from the previous reference (their data is absent here); "
                 "re-run --update where the data is present to refresh them")
        if ref and _weights_notice(ref, current):
            _say(f"NOTE: the reference was made with other weights (sha256 {_short(ref.get('weights', {}).get('sha256'))}); "
                 f"it now records sha256 {_short(current['weights']['sha256'])}")
        return 0 if instrument_ok else 1

    assert ref is not None
    tol = Tolerances(**ref.get("tolerances", {}))
    skipped = [name for name in ref["cases"] if name not in current["cases"]]
    compared_ref = {**ref, "cases": {k: v for k, v in ref["cases"].items() if k not in skipped}}
    for name in skipped:
        _say(f"NOTE: reference case {name!r} skipped: {absent.get(name, 'not part of this run')}")
    notices = [n for n in [_weights_notice(ref, current)] if n] + _set_notices(ref, current)
    table = compare(compared_ref, current, tol)
    write_text_atomic(out / "comparison.csv", table.to_csv(index=False))
    passed = gate_passes(table)
    bad = table[table["status"].isin(["REGRESSION", "missing"])]
    if passed:
        better = int((table["status"] == "improved").sum())
        _say(f"{prog}: {len(table)} metric(s) compared with {reference}: no regression"
             + (f", {better} improved beyond tolerance (consider --update)" if better else ""))
        overall = table[table["scope"] == "overall"]
        _say(format_table(overall))
        changes = format_table(table[(table["scope"] != "overall")], only_changes=True)
        if changes != "all metrics within tolerance":
            _say(changes)
    else:
        _say(f"{prog}: REGRESSION: {len(bad)} metric(s) worse than tolerance or missing, compared with {reference}:")
        _say(format_table(table))
        _say("")
        for _, r in bad.iterrows():
            if r["status"] == "REGRESSION":
                _say(f"  {r['case']}/{r['scope']}: {r['metric']} {r['before']:.4f} -> {r['after']:.4f} "
                     f"(delta {r['delta']:+.4f}, tolerance {r['tolerance']:.4f})")
            else:
                _say(f"  {r['case']}/{r['scope']}: {r['metric']} missing from this run")
    for n in notices:
        _say(n)
    _say(f"table: {out / 'comparison.csv'}")
    if not passed:
        _say(f"{prog}: FAILED — the tracker regressed (see above). If the change is intended, run "
             f"'siamrpn regress --reference {reference} --update' and commit the new reference.")
        return 1
    if not instrument_ok:
        _say(f"{prog}: FAILED — the analysis no longer reproduces the published scores (instrument check above)")
        return 1
    _say(f"{prog}: passed")
    return 0
