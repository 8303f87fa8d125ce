from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - declares the app's rules into reviews.access
