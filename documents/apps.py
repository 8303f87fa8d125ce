from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - declares the app's rules into reviews.access
