"""Run every code example in README.md, docs/ and the docstrings of src/ under pytest (Sybil).

```python blocks run as code; blocks holding ``>>>`` lines run as doctests. Each page runs in its
own namespace, top to bottom, in a fresh temporary working directory.
"""

from __future__ import annotations

import doctest
import os
import tempfile
from typing import Any

from sybil import Sybil
from sybil.parsers.myst import DocTestDirectiveParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser

from govtier.i18n import DEFAULT_LANGUAGE, set_default_language

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _setup(namespace: dict[str, Any]) -> None:
    namespace["_cwd"] = os.getcwd()
    namespace["_tmp"] = tempfile.TemporaryDirectory()
    os.chdir(namespace["_tmp"].name)
    # the pages show govtier's default, Vietnamese, whatever the machine's locale says (the CLI
    # reads it); each page starts from the library default too
    namespace["_language"] = os.environ.get("LANGUAGE")
    os.environ["LANGUAGE"] = "vi"


def _teardown(namespace: dict[str, Any]) -> None:
    os.chdir(namespace["_cwd"])
    namespace["_tmp"].cleanup()
    if namespace["_language"] is None:
        os.environ.pop("LANGUAGE", None)
    else:
        os.environ["LANGUAGE"] = namespace["_language"]
    set_default_language(DEFAULT_LANGUAGE)


_markdown = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=OPTIONS),
        DocTestDirectiveParser(optionflags=OPTIONS),
        SkipParser(),
    ],
    patterns=["*.md"],
    excludes=["_build/*"],
    setup=_setup,
    teardown=_teardown,
)

# Examples in docstrings (shown in the API reference) run too.
_docstrings = Sybil(
    parsers=[DocTestParser(optionflags=OPTIONS)],
    patterns=["*.py"],
    excludes=["__main__.py"],
)

pytest_collect_file = (_markdown + _docstrings).pytest()
