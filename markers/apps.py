from django.apps import AppConfig


class MarkersConfig(AppConfig):
    """The SCIE quality-marker self-checks: one module per marker (its questions and the evidence the portal
    holds for each), listed in `registry.MARKERS`; the board's view is kept in commissioning's
    SelfCheckAnswer."""

    name = "markers"
    verbose_name = "Quality-marker self-checks"
