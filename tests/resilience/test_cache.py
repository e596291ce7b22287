"""The Redis cache degrades to misses and no-ops while Redis is down (phso.cache)."""

import time

import pytest

from phso.cache import ResilientRedisCache
from tests.services import free_port, start_redis_server


def make_cache(url, retry_after=0.2):
    return ResilientRedisCache(
        url,
        {
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "retry_after": retry_after,
            },
            "KEY_PREFIX": "test",
        },
    )


class TestNoRedis:
    @pytest.fixture
    def cache(self):
        return make_cache(f"redis://127.0.0.1:{free_port()}/0")

    def test_reads_are_misses(self, cache):
        assert cache.get("key") is None
        assert cache.get("key", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("key") is False
        assert cache.get_or_set("key", 3) == 3

    def test_writes_do_nothing_and_say_so(self, cache):
        cache.set("key", 1)
        assert cache.add("key", 1) is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.delete("key") is False
        cache.delete_many(["a"])
        assert cache.touch("key") is False
        assert cache.clear() is False

    def test_counting_falls_back_as_for_a_missing_key(self, cache):
        with pytest.raises(ValueError):
            cache.incr("count")
        with pytest.raises(ValueError):
            cache.decr("count")

    def test_one_warning_per_outage(self, cache, caplog):
        cache.get("a")
        cache.get("b")
        cache.set("c", 1)
        warnings = [r for r in caplog.records if r.name == "phso.cache"]
        assert len(warnings) == 1
        assert "ConnectionError" in warnings[0].getMessage()


@pytest.mark.integration
class TestRedisGoesAwayAndComesBack:
    def test_misses_while_down_then_works_again(self, tmp_path):
        server = start_redis_server(tmp_path)
        cache = make_cache(server.url)
        try:
            cache.set("key", "value")
            assert cache.get("key") == "value"
            assert cache.incr("key2", 1) if cache.add("key2", 0) else True
            server.stop()

            started = time.monotonic()
            assert cache.get("key") is None
            cache.set("key", "other")
            assert time.monotonic() - started < 1

            server = start_redis_server(tmp_path, port=server.port)
            time.sleep(0.3)  # past retry_after: the next call tries Redis again
            cache.set("key", "back")
            assert cache.get("key") == "back"
        finally:
            server.stop()
