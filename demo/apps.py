from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Made-up data for trying the portal (`seed_demo`) and for measuring it (`seed_scale`): on top of every
    domain app, which never import it."""

    name = "demo"
    verbose_name = "Demonstration and scale data"
