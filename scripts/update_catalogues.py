"""Extract govtier's messages with Babel and update the vi and en catalogues.

    .venv/bin/python scripts/update_catalogues.py          # update the .po files
    .venv/bin/python scripts/update_catalogues.py --check  # fail if a message lacks a language

Message ids are English. New messages enter both catalogues; the English catalogue's text is
filled with the id; the Vietnamese one is left empty (and ``--check`` fails) until translated.
Messages no longer in the code are dropped. The ``.mo`` files are compiled by hatch_build.py
at install time, never committed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "govtier"
LOCALE = PACKAGE / "locale"
KEYWORDS = {
    "tr": (1,),
    "trn": (1, 2),
    "trc": ((1, "c"), 2),
    "N_": None,
    "NC_": ((1, "c"), 2),
    "Message": (1,),
}
LANGUAGES = ("vi", "en")


def extract() -> Catalog:
    template = Catalog(project="govtier", domain="govtier")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("i18n:",),
        strip_comment_tags=True,
    ):
        flags = ("python-brace-format",) if "{" in str(message) else ()
        template.add(
            message,
            None,
            [(f"src/govtier/{filename}", lineno)],
            auto_comments=comments,
            flags=flags,
            context=context,
        )
    for name, keys, inside in DATA_FIELDS:
        with (PACKAGE / "data" / name).open("rb") as handle:
            for text in sorted(set(data_texts(tomllib.load(handle), keys, inside))):
                template.add(text, None, [(f"src/govtier/data/{name}", 0)])
    notices = PACKAGE / "data" / "notices.toml"
    with notices.open("rb") as handle:
        for entry in tomllib.load(handle).get("notices", []):
            # a bundled notice's title is read out by why(); it is data, translated here
            template.add(entry["title"], None, [("src/govtier/data/notices.toml", 0)])
    return template


# (file, keys whose string values are read out, only inside these list keys or None = anywhere)
DATA_FIELDS = (
    ("rules.toml", {"receivers", "returns_at"}, None),
    ("rules.toml", {"name"}, "steps"),
    ("rules.toml", {"article"}, "legal_basis"),
    ("catalogue.toml", {"condition"}, "extensions"),
    ("indicators.toml", {"name", "formula"}, "indicator"),
)
_PARENTHESIS = re.compile(r"\(([^()]+)\)")


def data_texts(node: object, keys: set[str], inside: str | None, *, within: bool = False):
    """Every string under ``keys`` (and every English parenthesis of an agency name)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "article" and str(value).startswith(("Art", "Appendix")):
                continue  # articles and appendices are rewritten by govtier.i18n.cite
            if isinstance(value, str) and key in keys and (inside is None or within):
                yield value
            elif isinstance(value, str) and key == "agency" and inside is None:
                found = (m.group(1) for m in _PARENTHESIS.finditer(value))
                yield from (text for text in found if text.isascii())
            else:
                yield from data_texts(value, keys, inside, within=within or key == inside)
    elif isinstance(node, list):
        for item in node:
            yield from data_texts(item, keys, inside, within=within)


def path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "govtier.po"


def load(lang: str) -> Catalog:
    if not path(lang).exists():
        return Catalog(locale=lang, project="govtier", domain="govtier")
    with path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def update(template: Catalog) -> None:
    for lang in LANGUAGES:
        catalogue = load(lang)
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        for message in catalogue:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            if lang == "en" and not message.string:
                message.string = message.id
            elif lang == "en" and isinstance(message.string, tuple) and not all(message.string):
                message.string = tuple(message.id)
        path(lang).parent.mkdir(parents=True, exist_ok=True)
        with path(lang).open("wb") as handle:
            write_po(handle, catalogue, width=100, sort_output=False, omit_header=False)


def missing(template: Catalog) -> list[str]:
    problems = []
    for lang in LANGUAGES:
        catalogue = load(lang)
        for message in template:
            if not message.id:
                continue
            found = catalogue.get(message.id, context=message.context)
            texts = found.string if found else None
            if not found or not texts or (isinstance(texts, tuple) and not all(texts)):
                problems.append(f"{lang}: {message.id!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    template = extract()
    if not args.check:
        update(template)
    problems = missing(template)
    for problem in problems:
        print("missing", problem)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
