"""Fixed-window rate limits kept in the shared cache, so they hold across processes."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

from sciport.core.errors import RateLimited


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def hit(scope: str, key: str, *, limit: int, period_seconds: int) -> None:
    """Count one attempt; raise ``RateLimited`` once ``limit`` is passed inside the window."""
    window = int(time.time() // period_seconds)
    # Hashed: the key is caller input (an e-mail address) and may hold anything.
    cache_key = f"ratelimit:{scope}:{hashlib.sha256(key.encode()).hexdigest()}:{window}"
    cache.add(cache_key, 0, timeout=period_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=period_seconds + 1)
        count = 1
    if count > limit:
        retry_after = period_seconds - int(time.time()) % period_seconds
        raise RateLimited(max(retry_after, 1))
