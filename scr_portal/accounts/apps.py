from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "scr_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
