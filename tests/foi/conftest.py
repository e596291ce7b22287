import pytest

from accounts.roles import Role
from foi.models import Kind
from foi.services import information_request_submit
from tests.conftest import otp_verified_client
from tests.factories import UserFactory


@pytest.fixture
def foi_officer(db):
    return UserFactory(roles=[Role.FOI_OFFICER], full_name="Fiona Officer")


@pytest.fixture
def second_officer(db):
    return UserFactory(roles=[Role.FOI_OFFICER], full_name="Sam Second")


@pytest.fixture
def foi_client(client, foi_officer):
    return otp_verified_client(client, foi_officer)


@pytest.fixture
def make_request(db):
    def make(**overrides):
        fields = {
            "kind": Kind.FOI,
            "requester_name": "Pat Requester",
            "requester_email": "pat@example.com",
            "text": "How many complaints about GP practices did you receive in 2025?",
        }
        fields.update(overrides)
        return information_request_submit(**fields)

    return make


# Uploaded files go to each test's own directory, never var/media.
from tests.casework.documents_support import evidence_storage  # noqa: E402, F401
