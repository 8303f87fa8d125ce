"""Loads the fictional demonstration dataset (idempotent). The README lists the logins."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.commissioning import seed_demo as seed_commissioning
from demo.conduct import seed_conduct
from demo.partnership import seed_partnership
from demo.plan import seed_plans
from demo.reviews import seed_demo
from responses.actions.services import export_columns_refresh
from responses.models import Action
from reviews import notifications
from reviews.models import Agency, Board, Review


class Command(BaseCommand):
    help = "Creates or refreshes the demo boards, people and reviews. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo-password", help="Password for every demo account.")

    def handle(self, *args, password: str, **options):
        with notifications.muted():
            counts = seed_demo(password)
            seed_partnership(password)
            seed_commissioning()
            seed_conduct(password)
            seed_plans()  # the other reviews in progress: their plans and governance
            # The demo writes its actions' findings and progress directly: what exports read of them, once.
            export_columns_refresh(action_ids=Action.objects.values_list("pk", flat=True))
        counts["boards"], counts["reviews"] = Board.objects.count(), Review.objects.count()
        counts["people"], counts["agencies"] = get_user_model().objects.count(), Agency.objects.count()
        self.stdout.write(
            self.style.SUCCESS("Demo data ready: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        )
