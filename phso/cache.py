"""The Redis cache, degraded to "always a miss" while Redis cannot be reached.

Nothing the service must not lose lives in the cache (sessions are in the database), so a Redis
outage should cost speed, not requests: Django's own RedisCache raises on a connection error, which
would turn every page that reads the cache into a 500.

The trade-off: rate limits counted in the cache (allauth's sign-in and sign-up limits, and
phso.ratelimit's with RATELIMIT_FAIL_OPEN) fail open while Redis is down, because a count that
cannot be read is taken as zero. For an outage of minutes that is better than refusing everyone
sign-in; a long outage is an incident in itself.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a failure, skip Redis this long, so that a host that does not answer at all (rather than
# refusing at once) costs one socket timeout every few seconds, not one per cache call.
DEFAULT_RETRY_AFTER = 5.0


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes do nothing while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", DEFAULT_RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _attempt(self, operation: str, call, fallback):
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            return call()
        except RedisError as exc:
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + self.retry_after
            if first:
                logger.warning(
                    "cache unavailable (%s during %s); treating it as empty for %gs",
                    type(exc).__name__,
                    operation,
                    self.retry_after,
                )
            return fallback()

    def add(self, key, value, timeout=None, version=None):
        # False ("already there") rather than True: a caller using add() as a lock then backs
        # off instead of two callers both believing they hold it.
        return self._attempt(
            "add",
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            lambda: False,
        )

    def get(self, key, default=None, version=None):
        return self._attempt(
            "get",
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: default,
        )

    def set(self, key, value, timeout=None, version=None):
        self._attempt(
            "set",
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            lambda: None,
        )

    def touch(self, key, timeout=None, version=None):
        return self._attempt(
            "touch",
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            lambda: False,
        )

    def delete(self, key, version=None):
        return self._attempt(
            "delete",
            lambda: super(ResilientRedisCache, self).delete(key, version),
            lambda: False,
        )

    def get_many(self, keys, version=None):
        return self._attempt(
            "get_many",
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            dict,
        )

    def has_key(self, key, version=None):
        return self._attempt(
            "has_key",
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            lambda: False,
        )

    def incr(self, key, delta=1, version=None):
        def missing():
            # What incr() does for a key that is not there, so callers' fallbacks apply.
            raise ValueError(f"Key '{key}' not found (cache unavailable)")

        return self._attempt(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing
        )

    def set_many(self, data, timeout=None, version=None):
        # Every key "failed", as the cache API reports keys it could not store.
        return self._attempt(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            lambda: list(data),
        )

    def delete_many(self, keys, version=None):
        self._attempt(
            "delete_many",
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            lambda: None,
        )

    def clear(self):
        return self._attempt(
            "clear", lambda: super(ResilientRedisCache, self).clear(), lambda: False
        )
