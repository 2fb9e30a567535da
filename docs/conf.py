"""Sphinx configuration: MyST Markdown pages, furo theme, autodoc from docstrings."""

from __future__ import annotations

project = "govtier"
author = "govtier contributors"
copyright = "2026, govtier contributors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "govtier"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(attrs|cattrs|holidays|dt|datetime|threading|_.*|enum)\..*"),
    (r"py:.*", r".*\._.*"),
    (r"py:.*", r"_.*"),
    (r"py:class", r"(Path|Iterable|Iterator|Mapping|Any|Final|Sequence|Callable|Self)"),
    # the standard library: intersphinx would resolve these, but the docs build runs offline
    (r"py:.*", r"(collections\.abc|pathlib|typing|datetime|zoneinfo|enum|os)\..*"),
    (r"py:.*", r"(random|hypothesis)\..*"),
    # docstrings name classes and members in short form (`Dossier.apply`); fully qualified
    # references (govtier.x.Y) are still checked
    (r"py:.*", r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)?"),
]
intersphinx_mapping: dict[str, tuple[str, None]] = {}
napoleon_use_ivar = True  # "Attributes:" sections become fields, not duplicate descriptions
suppress_warnings = ["myst.header", "misc.highlighting_failure"]  # mermaid blocks are shown as text


def _no_inline_type(
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Keep napoleon from reading "Words: more words" in an attribute docstring as a type."""
    if what in ("attribute", "property", "data") and lines and ": " in lines[0]:
        head, tail = lines[0].split(": ", 1)
        if "`" not in head:
            lines[0] = f"{head} — {tail}"


def setup(app: object) -> None:
    app.connect("autodoc-process-docstring", _no_inline_type, priority=400)  # type: ignore[attr-defined]
