from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Home page and help"

    def ready(self) -> None:
        from reviews import next_step

        from . import waiting

        # The review page's "your next step" is the oldest thing waiting for the person on that review.
        next_step.add_finder(waiting.first_on_review)
