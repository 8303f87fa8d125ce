from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Records: retention and subject access"

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - declares the app's rules into reviews.access
