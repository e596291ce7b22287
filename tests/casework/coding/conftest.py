import pytest

from casework.coding import get_engine


@pytest.fixture(scope="session")
def engine():
    """The engine code_text uses, built once for the whole run (it takes about a second)."""
    return get_engine()


@pytest.fixture(scope="session")
def code(engine):
    """code_text against the shared engine: (code, status, matched text) triples."""

    def _code(text):
        return [(f.code, f.status, f.text) for f in engine.code(text).findings]

    return _code
