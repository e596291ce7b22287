"""Liveness of the things the service cannot work without: the database and the broker."""

import redis
from django.conf import settings
from django.db import connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the type is reported, not the detail
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager (no broker configured)"}
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
    except ValueError as exc:  # a malformed REDIS_URL: down, not a 500
        return {"ok": False, "error": type(exc).__name__}
    try:
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "error": type(exc).__name__}
    finally:
        client.close()
    return {"ok": True, "mode": "redis"}


def health() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker()}
    return all(c["ok"] for c in checks.values()), checks
