from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"

    def ready(self) -> None:
        from responses.actions import signals  # noqa: F401 - connects the receivers

        from . import permissions  # noqa: F401 - declares the app's rules into reviews.access
