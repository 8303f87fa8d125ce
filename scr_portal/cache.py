"""A Redis cache that the portal can do without: when Redis cannot be reached, a read is a miss and a
write is skipped, so every page still serves (computed rather than cached) instead of failing.

After a failure the cache rests for a few seconds without trying Redis, so a page with many cache reads
pays for the failure once rather than at every read; after the rest it tries again and recovers by itself.
Connections time out quickly, so a Redis that hangs rather than refuses costs a page a second at most."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Redis on the same machine or network answers in a millisecond or two: anything slower is a failure.
FAST_FAILING = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


class TolerantRedisCache(RedisCache):
    """Django's RedisCache, treating an unreachable Redis as an empty cache that stores nothing.

    OPTIONS may set `retry_after` (seconds to rest after a failure; 5 by default) besides redis-py's own
    connection options, which default to short timeouts here."""

    def __init__(self, server, params):
        options = {**FAST_FAILING, **params.get("OPTIONS", {})}
        self.retry_after = float(options.pop("retry_after", 5.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._resting_until = 0.0

    def _call(self, fallback, method, *args, **kwargs):
        """`method(*args, **kwargs)`, or `fallback` when Redis cannot be reached now or failed lately."""
        if time.monotonic() < self._resting_until:
            return fallback
        try:
            return method(*args, **kwargs)
        except UNREACHABLE as error:
            self._resting_until = time.monotonic() + self.retry_after
            log.warning(
                "Cache unavailable (%s: %s); serving without it for %.0f s",
                type(error).__name__,
                error,
                self.retry_after,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._call(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._call(None, super().delete_many, keys, version)
