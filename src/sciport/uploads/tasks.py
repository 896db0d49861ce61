"""Background work of uploads: each upload's expiry, scheduled when it is created."""

from sciport.core.tasks import task
from sciport.uploads import services


@task()
def expire_upload(public_id: str) -> None:
    """Purge an upload left partial (or complete but unused) past its expiry; runs at the expiry time."""
    services.upload_expire(public_id=public_id)
