"""Shared test configuration: hypothesis profiles (HYPOTHESIS_PROFILE=dev|ci|fast)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from govtier.i18n import language

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fast", max_examples=20, deadline=None)
settings.register_profile(  # `make fuzz`: a long run of every property, fuzz tests included
    "fuzz", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _english_unless_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The tests here were written against the English texts: they speak English.

    govtier's default is Vietnamese (see docs/i18n.md); a test that checks the default itself is
    marked ``@pytest.mark.default_language`` and runs without this pin. The CLI reads the
    locale from the environment, so LANGUAGE is pinned too.
    """
    if request.node.get_closest_marker("default_language"):
        monkeypatch.delenv("LANGUAGE", raising=False)
        yield
        return
    monkeypatch.setenv("LANGUAGE", "en")
    with language("en"):
        yield
