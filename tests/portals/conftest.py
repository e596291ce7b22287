import pytest

from tests.casework.documents_support import evidence_storage  # noqa: F401 - autouse: own media dir
from tests.portals.support import world as build_world


@pytest.fixture
def world(db):
    return build_world()
