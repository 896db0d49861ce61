from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _prepare_storage(sender: AppConfig, **kwargs: Any) -> None:
    """`sciport migrate` also creates the files folder or S3 bucket, so a new instance is ready in one step."""
    from sciport.core import storage

    storage.ensure_bucket()


class CoreConfig(AppConfig):
    name = "sciport.core"
    label = "core"
    verbose_name = "sciport core"

    def ready(self) -> None:
        from sciport.core import tasks

        tasks.connect_retry_handler()
        post_migrate.connect(_prepare_storage, sender=self, dispatch_uid="sciport-prepare-storage")
