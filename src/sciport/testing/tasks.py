"""Tasks that exist only so tests can watch the real worker fail, retry and give up."""

from django.core.cache import cache

from sciport.core.tasks import task


@task()
def flaky(marker: str, failures: int) -> int:
    """Fails the first ``failures`` runs for ``marker``, then succeeds; returns the run number."""
    cache.add(f"flaky:{marker}", 0, timeout=None)
    run = cache.incr(f"flaky:{marker}")
    if run <= failures:
        raise RuntimeError(f"planned failure {run} of {failures}")
    return run
