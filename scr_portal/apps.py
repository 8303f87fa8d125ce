from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "scr_portal"
    verbose_name = "SCR Portal"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the portal's deploy checks)
