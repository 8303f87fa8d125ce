from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from scr_portal.accounts.policy import require_two_factor_when

        from . import access, permissions  # noqa: F401 - permissions declares the app's rules into access

        require_two_factor_when(access.chairs_somewhere)
