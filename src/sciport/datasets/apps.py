from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "sciport.datasets"
    label = "datasets"
    verbose_name = "Science Data Bank"

    def ready(self) -> None:
        from sciport.core.tasks import register_daily
        from sciport.datasets import permissions
        from sciport.datasets.fixity_tasks import schedule_fixity_check
        from sciport.datasets.services import upload_target
        from sciport.datasets.tasks import schedule_embargo_opening
        from sciport.datasets.usage.folding import schedule_usage_folding

        permissions.register_policies()
        register_daily(schedule_embargo_opening)
        register_daily(schedule_fixity_check)
        register_daily(schedule_usage_folding)
        upload_target.register()
