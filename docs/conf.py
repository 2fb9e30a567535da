"""Sphinx configuration: MyST Markdown pages, furo theme, autodoc from docstrings, Mermaid."""

from __future__ import annotations

import os
import re

project = "govtier"
author = "govtier contributors"
copyright = "2026, govtier contributors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinxcontrib.mermaid",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
# ```mermaid fences are diagrams (the page text stays plain Markdown, as GitHub renders it too)
myst_fence_as_directive = ["mermaid"]
# The build is offline; the browser loads mermaid.js when a page is viewed (from the jsDelivr CDN
# by default). GOVTIER_MERMAID_JS points it at a local copy instead, e.g. for an offline look.
mermaid_use_local = os.environ.get("GOVTIER_MERMAID_JS", "")
mermaid_version = "11.12.1"
mermaid_height = "auto"
myst_heading_anchors = 3
html_theme = "furo"
html_title = "govtier"
# code blocks and text in fonts that carry the Vietnamese letters (see _static/govtier.css)
html_static_path = ["_static"]
html_css_files = ["govtier.css"]
autodoc_member_order = "bysource"
# types in the signature, once; the docstrings' Args/Attributes give the meaning (an attrs class
# would otherwise list every field twice: as a variable and as an __init__ parameter)
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
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
suppress_warnings = ["myst.header"]


def _no_inline_type(
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Keep napoleon from reading "Words: more words" in an attribute docstring as a type."""
    if what in ("attribute", "property", "data") and lines and ": " in lines[0]:
        head, tail = lines[0].split(": ", 1)
        if "`" not in head:
            lines[0] = f"{head} — {tail}"


_PRIVATE_NAME = re.compile(r"(^|[\[\s.~|(,])_[A-Za-z]\w*")


def _split_params(inner: str) -> list[str]:
    """The top-level parameters of a signature's inside (commas inside brackets are kept)."""
    params, depth, current = [], 0, ""
    for char in inner:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            params.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        params.append(current.strip())
    return params


def _public_signature(
    app: object,
    what: str,
    name: str,
    obj: object,
    options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """Signatures without attrs' ``NOTHING`` and without parameters of private types.

    attrs writes a factory default as ``NOTHING``: shown as ``...`` (a default, computed). A
    parameter typed with a private class (``_Override``) is internal plumbing: left out.
    """
    if signature is None:
        return None
    if not (signature.startswith("(") and signature.endswith(")")):
        return None
    params = [
        param.replace("=NOTHING", "=...").replace("= NOTHING", "= ...")
        for param in _split_params(signature[1:-1])
        if not _PRIVATE_NAME.search(param.split(":", 1)[-1]) or param.startswith("*")
    ]
    return "(" + ", ".join(params) + ")", return_annotation


def setup(app: object) -> None:
    app.connect("autodoc-process-docstring", _no_inline_type, priority=400)  # type: ignore[attr-defined]
    app.connect("autodoc-process-signature", _public_signature)  # type: ignore[attr-defined]
