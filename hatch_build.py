"""Hatchling build hook: compile the gettext catalogues (``.po`` → ``.mo``) with Babel.

The ``.po`` sources live in ``src/govtier/locale/<lang>/LC_MESSAGES/govtier.po``; the compiled
``.mo`` files are written next to them (so an editable install finds them too) and are never
committed (see ``.gitignore``). They are shipped in the wheel as build artifacts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogues(BuildHookInterface):  # type: ignore[type-arg]
    """Compile every ``govtier.po`` under ``src/govtier/locale`` before the wheel is built."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Write each ``govtier.mo`` next to its ``.po`` and ship it as a build artifact."""
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        sources = sorted((root / "src" / "govtier" / "locale").glob("*/LC_MESSAGES/govtier.po"))
        if not sources:
            msg = "no message catalogues found under src/govtier/locale"
            raise RuntimeError(msg)
        for po in sources:
            with po.open("rb") as handle:
                catalogue = read_po(handle, locale=po.parent.parent.name)
            mo = po.with_suffix(".mo")
            with mo.open("wb") as handle:
                write_mo(handle, catalogue, use_fuzzy=False)
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
