"""Markdown + HTML benchmark report: summary, conventions, figures against published baselines, tables.

:func:`build_report` reads raw results (no tracker run), scores them with the project's analysis modules
(``analysis.metrics.vot.analysis`` / ``otb_metrics`` / ``got10k_metrics``; nothing is re-implemented here), draws
the figures of ``plots_vot`` / ``plots_otb`` / ``plots_realtime`` with the published trackers of
``analysis.published``, and writes into ``out_dir``::

    report.md, report.html      # HTML embeds the PNGs (self-contained); both link the PNG/PDF files
    figures/<name>.png|.pdf
    tables/<name>.csv           # summary and per-sequence tables

Every file is written atomically (temp file + ``os.replace``)."""
