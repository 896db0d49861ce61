from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sciport.accounts"
    label = "accounts"
    verbose_name = "accounts and organisations"

    def ready(self) -> None:
        from sciport.accounts import auth_events, permissions, selectors
        from sciport.core.permissions import set_role_source

        auth_events.connect()
        permissions.register_policies()
        set_role_source(selectors.roles_by_organisation)
