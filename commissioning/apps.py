from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"

    def ready(self) -> None:
        from . import lifecycle, permissions  # noqa: F401 - the app's guards and rules, declared on import
