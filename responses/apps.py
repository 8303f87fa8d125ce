from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"

    def ready(self) -> None:
        from reviews import access

        from . import lifecycle, permissions  # noqa: F401 - the app's guards and rules, declared on import
        from .actions import selectors as actions

        # An action owner is told about their actions of reviews whose pages they may not open.
        access.add_reach(access.Reach(actions.told_about_owned, actions.action_owners_of))
