from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"

    def ready(self) -> None:
        from reviews import notifications

        from . import lifecycle, permissions  # noqa: F401 - the app's guards and rules, declared on import
        from .inputs.services import input_notifications_sweep
        from .registry.services import proposal_notifications_sweep
        from .tor.services import tor_notifications_sweep

        # What only commissioning knows has become impossible: its "action needed" notifications resolve.
        for sweep in (tor_notifications_sweep, input_notifications_sweep, proposal_notifications_sweep):
            notifications.add_sweep(sweep)
