from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sciport.notifications"
    label = "notifications"
    verbose_name = "notifications"
