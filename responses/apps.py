from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"

    def ready(self) -> None:
        from . import lifecycle, permissions  # noqa: F401 - the app's guards and rules, declared on import
