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

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _setup(namespace: dict[str, Any]) -> None:
    namespace["_cwd"] = os.getcwd()
    namespace["_tmp"] = tempfile.TemporaryDirectory()
    os.chdir(namespace["_tmp"].name)


def _teardown(namespace: dict[str, Any]) -> None:
    os.chdir(namespace["_cwd"])
    namespace["_tmp"].cleanup()


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
