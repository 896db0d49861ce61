from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "sciport.datasets"
    label = "datasets"
    verbose_name = "Science Data Bank"

    def ready(self) -> None:
        from sciport.datasets import permissions
        from sciport.datasets.services import upload_target

        permissions.register_policies()
        upload_target.register()
