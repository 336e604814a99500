"""The EAO regression gate as a library: validate the reference, measure the tracker on the regression set,
compare with tolerances, re-check the analysis against published scores (docs/regression.md).

:func:`gate` prints nothing: it returns a :class:`GateResult` (exit status, the lines for standard output and
for standard error, the comparison table, the current measurement, the files written); ``siamrpn regress``
prints it. ``echo`` receives each standard-output line as soon as it is known (the command shows them live)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from analysis.core.atomic import write_text_atomic
from analysis.core.paths import REGRESSION_REFERENCE, env, shared_data_dir
from integration.data.sequences import check_output_folder
from integration.jobs.regression.instrument import check_published, instrument_passes, missing_published_inputs
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
    import pandas as pd

    from integration.jobs.regression.measure import GateSettings

DEFAULT_REFERENCE = REGRESSION_REFERENCE

#: exit statuses of the gate (and of ``siamrpn regress``)
GATE_PASSED = 0
GATE_FAILED = 1  # a metric regressed beyond tolerance, a unit crashed, or the instrument check drifted
GATE_CANNOT_RUN = 2  # no or invalid reference, no weights, missing data

PROG = "siamrpn regress"


@dataclass(frozen=True)
class GateResult:
    """What one gate run found. ``lines``/``errors`` are the standard-output/standard-error lines, in order;
    ``table`` is the comparison (``None`` with ``update`` or before a comparison); ``current`` the measurement
    as written to ``current.json`` (``None`` when nothing was measured); ``written`` the files written, in order."""

    status: int
    lines: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    table: pd.DataFrame | None = None
    current: dict[str, Any] | None = None
    written: tuple[Path, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == GATE_PASSED

    @property
    def stdout(self) -> str:
        """The standard-output text, as ``siamrpn regress`` prints it."""
        return "".join(f"{line}\n" for line in self.lines)

    @property
    def stderr(self) -> str:
        """The standard-error text, as ``siamrpn regress`` prints it."""
        return "".join(f"{line}\n" for line in self.errors)


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


def _instrument(out: Path) -> tuple[bool, list[str], Path | None]:
    """Run the published-score re-check; returns (passed, lines to print, ``instrument.csv`` or ``None``)."""

    table, notices = check_published()
    lines = list(notices)
    if table.empty:
        lines.append("instrument check: shared raw results absent, skipped")
        return True, lines, None
    path = out / "instrument.csv"
    write_text_atomic(path, table.to_csv(index=False))
    ok = instrument_passes(table)
    view = table.drop(columns=["source"])
    lines.append(f"instrument check ({len(table)} published scores re-computed from the raw results): "
                 + ("all reproduced" if ok else "DRIFT — the analysis no longer reproduces published scores"))
    lines.append(view.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return ok, lines, path


class _Output:
    """Collects the gate's lines and written files; hands each stdout line to ``echo`` as it comes."""

    def __init__(self, echo: Callable[[str], None] | None) -> None:
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.written: list[Path] = []
        self._echo = echo

    def say(self, text: str = "") -> None:
        self.lines.append(text)
        if self._echo is not None:
            self._echo(text)

    def error(self, text: str) -> None:
        self.errors.append(text)

    def write(self, path: Path, text: str) -> None:
        write_text_atomic(path, text)
        self.written.append(path)

    def result(self, status: int, **found: Any) -> GateResult:
        return GateResult(status, tuple(self.lines), tuple(self.errors), written=tuple(self.written), **found)


def _unwritable(reference: Path, out: Path, update: bool) -> str | None:
    """Why the gate could not write its results (``out``) or, with ``update``, the reference (``None``: it can)."""
    try:
        check_output_folder(out)
    except OSError as exc:
        return f"--out {exc}"
    if not update:
        return None
    try:
        check_output_folder(reference.parent)
    except OSError as exc:
        return f"--update cannot write the reference {reference}: {exc}; choose a writable --reference"
    if reference.exists() and not os.access(reference, os.W_OK):
        return (f"--update cannot write the reference {reference}: the file is read-only; make it writable "
                "(chmod u+w) or choose another --reference")
    return None


def _missing_data(settings: "GateSettings", absent: dict[str, str], instrument: bool) -> str | None:
    """What the gate was asked to run and cannot find (``None``: nothing), as one sentence with the fix."""
    what = [f"case {name} ({why})" for name, why in absent.items() if not (name == "bag" and not settings.include_bag)]
    if instrument:
        paths = missing_published_inputs()
        if paths:
            shown = ", ".join(str(p) for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            what.append(f"the instrument check's published raw results ({shown} not found)")
    if not what:
        return None
    shared = shared_data_dir()
    where = (f"SIAMRPN_SHARED_DATA={env('SIAMRPN_SHARED_DATA')} does not exist" if env("SIAMRPN_SHARED_DATA")
             and not shared.is_dir() else f"shared data folder {shared}"
             + (" does not exist" if not shared.is_dir() else ""))
    return (f"missing data: {'; '.join(what)} ({where}); nothing was run. Point SIAMRPN_SHARED_DATA at the shared "
            "data, or skip what is missing on purpose: --allow-missing (or --no-bag, --skip-instrument)")


def gate(settings: "GateSettings", reference: Path, out: Path, update: bool = False, instrument: bool = True,
         echo: Callable[[str], None] | None = None, allow_missing: bool = False) -> GateResult:
    """Measure, compare with (or rewrite) the reference; returns the verdict as a :class:`GateResult` (prints
    nothing; ``echo``, when given, receives each standard-output line as it is produced).

    Data the gate is asked to use and cannot find (the ``bag`` case unless ``settings.include_bag`` is off, the
    instrument check's published raw results unless ``instrument`` is off) makes it ``GATE_CANNOT_RUN`` before
    anything runs, unless ``allow_missing`` (then skipped with a notice, as before)."""
    from tracker.weights import WeightsError  # lazy: keeps torch off the start-up of commands that do not track

    prog = PROG
    o = _Output(echo)
    reference, out = Path(reference), Path(out)
    ref = None
    if not update or reference.exists():
        try:
            ref = load_reference(reference)
        except ReferenceMissing as exc:
            o.error(f"{prog}: {exc}")
            return o.result(GATE_CANNOT_RUN)
        except ValueError as exc:
            if not update or (isinstance(exc, ReferenceInvalid) and exc.tolerances_bad):
                o.error(f"{prog}: error: {exc}")
                if update:
                    o.error(f"{prog}: --update keeps the reference's tolerances: fix them first")
                return o.result(GATE_CANNOT_RUN)
            ref = None  # --update replaces a malformed reference (its tolerances are valid or absent)
    try:
        cases, absent = regression_cases(settings)
        missing = _missing_data(settings, absent, instrument)
        if missing and not allow_missing:
            o.error(f"{prog}: error: {missing}")
            return o.result(GATE_CANNOT_RUN)
        unwritable = _unwritable(reference, out, update)
        if unwritable:  # found before the measurement, not after it
            o.error(f"{prog}: error: {unwritable}; nothing was run")
            return o.result(GATE_CANNOT_RUN)
        o.say(f"{prog}: cases {', '.join(c.name for c in cases)}"
              + (f"; not run here: {', '.join(f'{k} ({v})' for k, v in absent.items())}" if absent else ""))
        current = measure(settings, out, cases)
    except (WeightsError, FileNotFoundError) as exc:
        o.error(f"{prog}: error: {exc}")
        return o.result(GATE_CANNOT_RUN)
    except RuntimeError as exc:  # a unit crashed: the gate cannot vouch for the tracker
        o.error(f"{prog}: FAILED — {exc}")
        return o.result(GATE_FAILED)
    o.write(out / "current.json", dumps(current))
    o.say(f"{prog}: weights {current['weights'].get('path') or current['weights']['spec']} "
          f"(sha256 {_short(current['weights']['sha256'])}), CPU, {settings.threads} thread(s) per worker, "
          f"seed {settings.seed}; tracker runs took {current['tracker']['seconds']:g} s on {settings.workers} worker(s)")
    for line in _interval_lines(current):
        o.say(line)

    instrument_ok = True
    if instrument:
        instrument_ok, lines, written = _instrument(out)
        if written is not None:
            o.written.append(written)
        for line in lines:
            o.say(line)

    if update:
        tol = Tolerances(**ref["tolerances"]) if ref and "tolerances" in ref else Tolerances()
        new = {**current, "tolerances": tolerances_dict(tol)}
        kept = []
        for name in absent:
            if ref and name in ref.get("cases", {}):
                new["cases"][name] = ref["cases"][name]
                kept.append(name)
        save_reference(reference, new)
        o.written.append(reference)
        o.say(f"{prog}: reference written: {reference}")
        if kept:
            o.say(f"NOTE: case(s) {', '.join(kept)} kept from the previous reference (their data is absent here); "
                  "re-run --update where the data is present to refresh them")
        if ref and _weights_notice(ref, current):
            o.say(f"NOTE: the reference was made with other weights (sha256 {_short(ref.get('weights', {}).get('sha256'))}); "
                  f"it now records sha256 {_short(current['weights']['sha256'])}")
        return o.result(GATE_PASSED if instrument_ok else GATE_FAILED, current=current)

    assert ref is not None
    tol = Tolerances(**ref.get("tolerances", {}))
    skipped = [name for name in ref["cases"] if name not in current["cases"]]
    compared_ref = {**ref, "cases": {k: v for k, v in ref["cases"].items() if k not in skipped}}
    for name in skipped:
        o.say(f"NOTE: reference case {name!r} skipped: {absent.get(name, 'not part of this run')}")
    notices = [n for n in [_weights_notice(ref, current)] if n] + _set_notices(ref, current)
    table = compare(compared_ref, current, tol)
    o.write(out / "comparison.csv", table.to_csv(index=False))
    passed = gate_passes(table)
    bad = table[table["status"].isin(["REGRESSION", "missing"])]
    if passed:
        better = int((table["status"] == "improved").sum())
        o.say(f"{prog}: {len(table)} metric(s) compared with {reference}: no regression"
              + (f", {better} improved beyond tolerance (consider --update)" if better else ""))
        overall = table[table["scope"] == "overall"]
        o.say(format_table(overall))
        changes = format_table(table[(table["scope"] != "overall")], only_changes=True)
        if changes != "all metrics within tolerance":
            o.say(changes)
    else:
        o.say(f"{prog}: REGRESSION: {len(bad)} metric(s) worse than tolerance or missing, compared with {reference}:")
        o.say(format_table(table))
        o.say("")
        for _, r in bad.iterrows():
            if r["status"] == "REGRESSION":
                o.say(f"  {r['case']}/{r['scope']}: {r['metric']} {r['before']:.4f} -> {r['after']:.4f} "
                      f"(delta {r['delta']:+.4f}, tolerance {r['tolerance']:.4f})")
            else:
                o.say(f"  {r['case']}/{r['scope']}: {r['metric']} missing from this run")
    for n in notices:
        o.say(n)
    o.say(f"table: {out / 'comparison.csv'}")
    if not passed:
        o.say(f"{prog}: FAILED — the tracker regressed (see above). If the change is intended, run "
              f"'siamrpn regress --reference {reference} --update' and commit the new reference.")
        return o.result(GATE_FAILED, table=table, current=current)
    if not instrument_ok:
        o.say(f"{prog}: FAILED — the analysis no longer reproduces the published scores (instrument check above)")
        return o.result(GATE_FAILED, table=table, current=current)
    o.say(f"{prog}: passed")
    return o.result(GATE_PASSED, table=table, current=current)
