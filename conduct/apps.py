from django.apps import AppConfig


class ConductConfig(AppConfig):
    name = "conduct"
    verbose_name = "Running the review"

    def ready(self) -> None:
        from reviews import access, notifications, workflow

        from . import permissions, selectors, services  # noqa: F401 - permissions declares the app's rules
        from .inquiry import permissions as inquiry_permissions  # noqa: F401 - the analysis's rules
        from .people import permissions as people_permissions  # noqa: F401 - practitioners and the family
        from .people import services as people_services
        from .plan import permissions as plan_permissions  # noqa: F401 - the plan and governance's rules
        from .report import permissions as report_permissions  # noqa: F401 - the report's rules
        from .report import services as report_services

        # An agency author is told about the requests naming them, of reviews whose pages they may not open.
        access.add_reach(access.Reach(selectors.told_about_authored, selectors.authors_of))
        notifications.add_sweep(services.information_notifications_sweep)
        workflow.add_guard("receive_report", report_services.drafts_need_acceptance)
        notifications.add_sweep(people_services.practitioner_notifications_sweep)
