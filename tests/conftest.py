import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from tests.factories import UserFactory
from tests.fakes.notify import fake_notify  # noqa: F401 - shared fixture: a local GOV.UK Notify
from tests.services import private_redis  # noqa: F401 - shared fixture for integration tests


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached lookups live in the cache (Redis in CI): start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def complainant(db):
    return UserFactory(roles=[Role.COMPLAINANT])


@pytest.fixture
def caseworker(db):
    return UserFactory(roles=[Role.CASEWORKER])


@pytest.fixture
def manager(db):
    return UserFactory(roles=[Role.MANAGER])


@pytest.fixture
def user_with_role(db):
    def make(role):
        return UserFactory(roles=[role])

    return make


@pytest.fixture
def staff_client(client, caseworker):
    """A client signed in as a caseworker who has passed the TOTP check this session."""
    return otp_verified_client(client, caseworker)


def otp_verified_client(client, user):
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client
