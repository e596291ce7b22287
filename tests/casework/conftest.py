import pytest

from casework.integrations import fake_pds
from casework.integrations.pds import PdsClient, RateLimiter

PDS_API_KEY = "test-pds-api-key"
PDS_KEY_ID = "test-pds-key-1"


@pytest.fixture(scope="session")
def pds_key_pair():
    """(private PEM, public PEM), generated for this test run only."""
    return fake_pds.generate_key_pair()


@pytest.fixture(scope="session")
def _fake_pds_session(pds_key_pair):
    with fake_pds.running_fake_pds(
        public_key_pem=pds_key_pair[1], api_key=PDS_API_KEY, key_id=PDS_KEY_ID
    ) as fake:
        yield fake


@pytest.fixture
def fake_pds_server(_fake_pds_session):
    """The fake PDS on a loopback port, with no queued failures, recorded requests or tokens."""
    _fake_pds_session.reset()
    yield _fake_pds_session
    _fake_pds_session.reset()


@pytest.fixture
def pds_sleeps():
    """Every delay the client asked for (backoff, Retry-After), recorded instead of slept."""
    return []


@pytest.fixture
def make_pds_client(fake_pds_server, pds_key_pair, pds_sleeps):
    """Build a client against the fake. It never really sleeps between retries, and has its own
    generous rate limiter so that the suite is not slowed to five calls a second."""

    def make(**overrides):
        base_url = overrides.pop("base_url", fake_pds_server.base_url)
        options = {
            "token_url": fake_pds_server.token_url,
            "api_key": PDS_API_KEY,
            "private_key_pem": pds_key_pair[0],
            "key_id": PDS_KEY_ID,
            "timeout": 2.0,
            "max_retries": 3,
            "rate_limiter": RateLimiter(1000),
            "sleep": pds_sleeps.append,
        }
        options.update(overrides)
        return PdsClient(base_url, **options)

    return make


@pytest.fixture
def pds_client(make_pds_client):
    return make_pds_client()
