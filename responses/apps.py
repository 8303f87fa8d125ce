from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"

    def ready(self) -> None:
        from responses.actions import signals  # noqa: F401 - connects the receivers
