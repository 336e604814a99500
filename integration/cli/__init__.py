"""The ``siamrpn`` command: a thin dispatcher over subcommand modules.

Each subcommand lives in its own module exposing ``configure(parser)`` and ``run(args) -> int``;
modules are imported only when their subcommand is chosen, so ``siamrpn analyze`` never pays
for importing torch.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.metadata
import re
import sys

#: subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("integration.cli.analyze", "score raw results: VOT A/R/EAO, OTB, GOT-10k, LaSOT, UAV, TrackingNet, "
                                         "NfS, TC128, VOT long-term"),
    "track": ("integration.cli.track", "track one target through a video or a folder of frames"),
    "run": ("integration.cli.run", "run a tracker under a benchmark protocol (VOT baseline/realtime/long-term, OTB, GOT-10k)"),
    "vot-workspace": ("integration.cli.workspace", "build an offline vot-toolkit workspace from local data"),
    "train": ("integration.cli.train", "train SiamRPN end to end"),
    "train-data": ("integration.cli.train_data", "the photographic training data: sources, licences, a contact sheet"),
    "report": ("integration.cli.report", "write a Markdown/HTML report with plots against published baselines"),
    "regress": ("integration.cli.regress", "EAO regression gate against a committed reference"),
    "main": ("integration.cli.main_job", "the main job: run, analyse and report on the bundled default"),
    "view": ("integration.cli.view", "draw stored results of several trackers over a sequence (mp4/gif/html)"),
    "submit": ("integration.cli.submit", "check and pack results for the GOT-10k / TrackingNet test servers"),
    "tune": ("integration.cli.tune", "tune penalty_k, window_influence, lr and context_amount with Optuna "
                                     "(VOT EAO or OTB AUC; resumable study)"),
}


def _top_help() -> str:
    width = max(len(n) for n in SUBCOMMANDS)
    lines = ["usage: siamrpn <command> [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in SUBCOMMANDS.items()]
    lines += ["", "Run 'siamrpn <command> --help' for the options of a command."]
    return "\n".join(lines)


def version() -> str:
    """The installed distribution's version (``siamrpn --version``)."""
    try:
        return importlib.metadata.version("siamrpn-bench")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for unknown options."""

    def error(self, message: str):  # type: ignore[override]
        m = re.match(r"unrecognized arguments: (.*)", message)
        if m:
            known = [o for a in self._actions for o in a.option_strings]
            hints = [_did_you_mean(w.split("=")[0], known) for w in m.group(1).split() if w.startswith("-")]
            message += "".join(h for h in hints if h)
        super().error(message)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """``{choice: parser}`` of ``parser``'s sub-commands (``siamrpn analyze otb``, ``siamrpn run vot``)."""
    out: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out.update(action.choices)
    return out


def check_options(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Refuse an unknown ``--option`` before argparse parses, with "did you mean" among the options of the
    (sub-)commands named in ``argv``: argparse would otherwise report a missing required option first (``siamrpn
    analyze vot --annotatons x`` -> "required: --annotations") or, for a nested sub-command, list its options
    only at the top. A unique prefix of a known option is accepted (argparse's abbreviations); ``--`` ends the
    options."""
    path, known = [parser], [o for a in parser._actions for o in a.option_strings]
    for word in argv:
        if word == "--":
            break
        sub = _subparsers(path[-1])
        if not word.startswith("-") and word in sub:
            path.append(sub[word])
            known += [o for a in sub[word]._actions for o in a.option_strings]
            continue
        if not word.startswith("--") or len(word) < 3:
            continue
        flag = word.split("=", 1)[0]
        if flag in known or any(o.startswith(flag) for o in known if o.startswith("--")):
            continue
        argparse.ArgumentParser.error(path[-1], f"unrecognized arguments: {flag}" + (
            _did_you_mean(flag, known) or f" ('{path[-1].prog} --help' lists the options)"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``siamrpn`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_top_help())
        return 0
    if argv[0] in ("--version", "-V"):
        print(f"siamrpn {version()}")
        return 0
    name = argv[0]
    if name not in SUBCOMMANDS:
        print(f"siamrpn: unknown command {name!r}{_did_you_mean(name, SUBCOMMANDS)}\n\n{_top_help()}",
              file=sys.stderr)
        return 2
    module_name, text = SUBCOMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            print(f"siamrpn: command {name!r} is not available in this build ({module_name} missing)", file=sys.stderr)
            return 2
        raise
    parser = _Parser(prog=f"siamrpn {name}", description=text)
    module.configure(parser)
    check_options(parser, argv[1:])
    args = parser.parse_args(argv[1:])
    return int(module.run(args) or 0)

