from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "scr_portal"
    verbose_name = "SCR Portal"
