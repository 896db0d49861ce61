from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "sciport.uploads"
    label = "uploads"
    verbose_name = "resumable uploads"
