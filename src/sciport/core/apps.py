from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sciport.core"
    label = "core"
    verbose_name = "sciport core"

    def ready(self) -> None:
        from sciport.core import tasks

        tasks.connect_retry_handler()
