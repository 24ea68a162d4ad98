"""Fixtures of the source tests: the independent classic-fields server on 127.0.0.1."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.sources.classic_server import ClassicServer

# Caps below the specs' page limits, so the client must follow has_more to get it all.
CLASSIC_PAGE_CAPS = {"daily": 4, "stock_basic": 3}


@pytest.fixture(scope="module")
def classic() -> Iterator[ClassicServer]:
    """A Tushare-protocol server that is not our simulator (tests/sources/classic_server.py)."""
    with ClassicServer(page_caps=CLASSIC_PAGE_CAPS) as server:
        yield server
