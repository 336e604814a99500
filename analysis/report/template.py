"""Jinja2 templates of the benchmark report (Markdown and self-contained HTML).

Kept as Python strings so they ship with the package without package-data rules. The context is built
by :func:`analysis.report.render_markdown` / :func:`analysis.report.render_html`: ``title``, ``subtitle``,
``summary`` (rendered table), ``trackers`` (several trackers: ``caption`` and rendered ``table``, shown first
in the summary; else ``None``), ``conventions`` (list of ``(name, text)``), ``sections`` (each with
``title``, ``paragraphs``, ``figures`` (``title``, ``src``, ``files``, ``caption``) and ``tables``
(``caption``, ``table``)), ``warnings``, ``environment`` (list of ``(name, value)``).
"""
from __future__ import annotations

MARKDOWN = """\
# {{ title }}

{{ subtitle }}

## Summary
{% if trackers %}
{{ trackers.caption }}

{{ trackers.table }}

Scores of the run, with published values and conventions:
{% endif %}
{{ summary }}

## Conventions

{% for name, text in conventions -%}
- **{{ name }}**: {{ text }}
{% endfor %}
{% for section in sections %}
## {{ section.title }}
{% for p in section.paragraphs %}
{{ p }}
{% endfor %}
{% for fig in section.figures %}
### {{ fig.title }}

![{{ fig.title }}]({{ fig.src }})

{{ fig.caption }} Files: {% for f in fig.files %}[{{ f }}]({{ f }}){% if not loop.last %}, {% endif %}{% endfor %}.
{% endfor %}
{% for t in section.tables %}
### {{ t.caption }}

{{ t.table }}
{% endfor %}
{% endfor %}
{% if warnings %}
## Warnings

{% for w in warnings -%}
- {{ w }}
{% endfor %}
{% endif %}
## Environment

| item | value |
|---|---|
{% for name, value in environment -%}
| {{ name }} | {{ value }} |
{% endfor %}
"""

HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title|e }}</title>
<style>
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #444; }
.subtitle { color: #555; } .warn { color: #8a4b00; } code { background: #f5f5f5; padding: 0 .2em; }
details { margin: .6em 0; } summary { cursor: pointer; font-weight: 600; }
</style>
</head>
<body>
<h1>{{ title|e }}</h1>
<p class="subtitle">{{ subtitle|e }}</p>
<h2>Summary</h2>
{% if trackers %}<p>{{ trackers.caption|e }}</p>
{{ trackers.table }}
<p>Scores of the run, with published values and conventions:</p>
{% endif %}{{ summary }}
<h2>Conventions</h2>
<ul>
{% for name, text in conventions %}<li><b>{{ name|e }}</b>: {{ text|e }}</li>
{% endfor %}</ul>
{% for section in sections %}
<h2>{{ section.title|e }}</h2>
{% for p in section.paragraphs %}<p>{{ p|e }}</p>
{% endfor %}
{% for fig in section.figures %}
<figure>
<img src="{{ fig.src }}" alt="{{ fig.title|e }}">
<figcaption><b>{{ fig.title|e }}.</b> {{ fig.caption|e }}
Files: {% for f in fig.files %}<a href="{{ f }}">{{ f|e }}</a>{% if not loop.last %}, {% endif %}{% endfor %}.</figcaption>
</figure>
{% endfor %}
{% for t in section.tables %}
<details{% if t.open %} open{% endif %}><summary>{{ t.caption|e }}</summary>
{{ t.table }}
</details>
{% endfor %}
{% endfor %}
{% if warnings %}
<h2>Warnings</h2>
<ul>
{% for w in warnings %}<li class="warn">{{ w|e }}</li>
{% endfor %}</ul>
{% endif %}
<h2>Environment</h2>
<table>
{% for name, value in environment %}<tr><td>{{ name|e }}</td><td>{{ value|e }}</td></tr>
{% endfor %}</table>
</body>
</html>
"""
