"""Markdown + HTML benchmark report: summary, conventions, figures against published baselines, tables.

:func:`~analysis.report.build.build_report` (a :class:`~analysis.report.build.ReportRequest`) reads raw results
(no tracker run) and scores them with the project's analysis modules (``analysis.metrics.vot.analysis`` /
``otb`` / ``got10k`` / ``onepass`` / ``trackingnet`` / ``vot.longterm``; nothing is re-implemented here); the
per-benchmark parts (``vot_part`` / ``otb_part`` / ``got10k_part`` / ``onepass_part`` / ``longterm_part``, each a
:class:`~analysis.report.document.ReportPart`) are built from computed reports only, so a caller that scored
already (the main job) passes its own. The parts draw the figures of ``analysis.plots.vot`` / ``otb`` /
``realtime`` / ``longterm`` with the published trackers of ``analysis.published``;
the document is written into ``out_dir``::

    report.md, report.html      # HTML embeds the PNGs (self-contained); both link the PNG/PDF files
    figures/<name>.png|.pdf
    tables/<name>.csv           # summary and per-sequence tables
    viewers/<seq>.html          # with ``siamrpn report --viewers``: linked from the per-sequence tables

Every file is written atomically (temp file + ``os.replace``)."""
