"""The app that registers the sink target in a server started with ``live_settings``."""

from django.apps import AppConfig


class SinkConfig(AppConfig):
    name = "sciport.uploads.tests"
    label = "uploads_sink"

    def ready(self) -> None:
        from sciport.uploads.tests import sink

        sink.register()
