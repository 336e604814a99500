"""Report text without machine paths: absolute paths in titles, paragraphs, captions, conventions, notes and
warnings are shown relative to the folder the command ran in (issue 22 item 7).

A report is read on other machines and pasted into issues; an absolute ``<home>/<user's folders>/output/runs/siamrpn`` says
nothing there that ``output/runs/siamrpn`` does not, and leaks the user's layout. :func:`relative_paths` rewrites
every absolute path whose first component exists on this machine (so ``F / N`` or a URL is never touched) to
``os.path.relpath`` from the working directory when that climbs at most two levels (``../shared/data``), else to
``~/...`` under the home folder; other paths are left as they are. Link targets (viewer pages, figures) are not
text and are not rewritten.
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

__all__ = ["relative_paths", "shown_path", "content_without_machine_paths"]

#: an absolute POSIX path that starts a word (after the start, a space, a bracket, a quote, ``=`` or ``,``)
_ABSOLUTE = re.compile(r"(?:(?<=^)|(?<=[\s(\[{'\"`=,]))/(?:[\w.+@~-]+/)*[\w.+@~-]+")
#: at most this many ``..`` steps up from the working directory (``../shared/data``)
MAX_UP = 2


def shown_path(path: str | os.PathLike, cwd: str | os.PathLike | None = None) -> str:
    """``path`` as a report shows it: relative to ``cwd`` (default: the working directory) when that climbs at
    most :data:`MAX_UP` levels, else ``~/...`` under the home folder, else unchanged. Relative paths are kept."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    base = os.path.abspath(os.fspath(cwd) if cwd is not None else os.getcwd())
    rel = os.path.relpath(text, base)
    if rel.split(os.sep)[:MAX_UP + 1].count("..") <= MAX_UP:
        return rel
    home = str(Path.home())
    if home not in ("/", "") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home):]
    return text


def relative_paths(text: str, cwd: str | os.PathLike | None = None) -> str:
    """``text`` with every absolute path of this machine replaced by :func:`shown_path` (module docstring)."""
    if "/" not in text:
        return text

    def one(m: re.Match) -> str:
        found = m.group(0)
        first = found.split("/")[1]
        if not os.path.exists("/" + first):
            return found
        end = ""
        while found.endswith(".") and len(found) > 2:  # a sentence's full stop is not part of the path
            found, end = found[:-1], end + "."
        return shown_path(found, cwd) + end

    return _ABSOLUTE.sub(one, text)


def content_without_machine_paths(content, cwd: str | os.PathLike | None = None):
    """A copy of a :class:`~analysis.report.document.ReportContent` whose text (title, subtitle, conventions,
    section titles, paragraphs, figure and table captions, warnings) went through :func:`relative_paths`;
    tables' cells, figures and link targets are unchanged."""
    def fix(text):
        return relative_paths(text, cwd) if isinstance(text, str) else text

    def table(t):
        return None if t is None else dataclasses.replace(t, caption=fix(t.caption))

    sections = [dataclasses.replace(s, title=fix(s.title), paragraphs=[fix(p) for p in s.paragraphs],
                                    figures=[(r, fix(c)) for r, c in s.figures], tables=[table(t) for t in s.tables])
                for s in content.sections]
    changes = dict(title=fix(content.title), subtitle=fix(content.subtitle),
                   conventions=[(k, fix(v)) for k, v in content.conventions], sections=sections,
                   warnings=[fix(w) for w in content.warnings])
    if getattr(content, "trackers", None) is not None:
        changes["trackers"] = table(content.trackers)
    return dataclasses.replace(content, **changes)
