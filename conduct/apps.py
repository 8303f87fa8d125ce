from django.apps import AppConfig


class ConductConfig(AppConfig):
    name = "conduct"
    verbose_name = "Running the review"

    def ready(self) -> None:
        from reviews import access, notifications

        from . import permissions, selectors, services  # noqa: F401 - permissions declares the app's rules
        from .people import permissions as people_permissions  # noqa: F401 - practitioners and the family
        from .people import services as people_services

        # An agency author is told about the requests naming them, of reviews whose pages they may not open.
        access.add_reach(access.Reach(selectors.told_about_authored, selectors.authors_of))
        notifications.add_sweep(services.information_notifications_sweep)
        notifications.add_sweep(people_services.practitioner_notifications_sweep)
