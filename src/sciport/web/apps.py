from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sciport.web"
    label = "web"
    verbose_name = "web pages"
