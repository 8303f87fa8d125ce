"""Lists the reviews whose board's retention period has run out, and applies a business manager's decision
to anonymise or delete one (the same checks and audit record as the portal's retention page)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from records import retention, services
from records.models import Channel
from reviews.models import Board, Review
from scr_portal.forms import id_from_query


class Command(BaseCommand):
    help = (
        "Lists reviews due under their board's retention period. With --anonymise or --delete and "
        "--confirmed-by, applies the decision the board's business manager confirmed."
    )

    def add_arguments(self, parser):
        decision = parser.add_mutually_exclusive_group()
        decision.add_argument("--anonymise", metavar="REFERENCE", help="Anonymise this review.")
        decision.add_argument("--delete", metavar="REFERENCE", help="Delete this review and its files.")
        parser.add_argument(
            "--confirmed-by", metavar="EMAIL", help="The business manager of the review's board who decided."
        )
        parser.add_argument(
            "--board",
            help="The board (name or number): only needed to list one board, or "
            "when two boards use the same reference.",
        )
        parser.add_argument(
            "--other-name",
            action="append",
            default=[],
            metavar="NAME",
            help="With --anonymise: a name to remove from the text that is kept (repeat for several).",
        )
        parser.add_argument(
            "--no-input", action="store_true", help="Do not ask to type the reference again before applying."
        )

    def handle(self, *args, anonymise, delete, confirmed_by, board, other_name, no_input, **options):
        board_obj = self._board(board) if board else None
        reference = anonymise or delete
        if not reference:
            if confirmed_by or other_name:
                raise CommandError("--confirmed-by and --other-name go with --anonymise or --delete.")
            self._list(board_obj)
            return
        if not confirmed_by:
            raise CommandError(
                "Say who confirmed the decision: --confirmed-by EMAIL of the board's business manager."
            )
        review = self._review(reference, board_obj)
        user = get_user_model().objects.filter(email__iexact=confirmed_by.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the email address {confirmed_by}.")
        typed = reference
        if not no_input:
            verb = "anonymise" if anonymise else "DELETE"
            typed = input(f"To {verb} {review.reference} of {review.lead_board}, type its reference again: ")
        apply = services.review_anonymise if anonymise else services.review_delete
        extra = {"other_names": other_name} if anonymise else {}
        try:
            disposal = apply(
                review_id=review.pk,
                board=review.lead_board,
                user=user,
                typed_reference=typed,
                channel=Channel.COMMAND,
                **extra,
            )
        except services.RetentionRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            self.style.SUCCESS(
                f"{disposal.review_reference} {disposal.get_kind_display().lower()} (record {disposal.pk})."
            )
        )
        for line in services.describe_removed(disposal.removed):
            self.stdout.write(f"  {line}")

    def _board(self, value: str) -> Board:
        pk = id_from_query(value)
        board = (
            Board.objects.filter(pk=pk).first()
            if pk is not None
            else Board.objects.filter(name__iexact=value.strip()).first()
        )
        if board is None:
            raise CommandError(f"There is no board {value}.")
        return board

    def _review(self, reference: str, board: Board | None) -> Review:
        reviews = Review.objects.filter(reference=reference.strip()).select_related("lead_board")
        if board is not None:
            reviews = reviews.filter(lead_board=board)
        found = list(reviews[:2])
        if not found:
            raise CommandError(f"There is no review {reference}{f' led by {board}' if board else ''}.")
        if len(found) > 1:
            raise CommandError(f"Several boards use the reference {reference}: add --board.")
        return found[0]

    def _list(self, board: Board | None) -> None:
        rows = [(board, retention.due_for_board(board))] if board is not None else retention.due_by_board()
        for each, due in rows:
            self.stdout.write(
                f"{each.name} (keeps records for {each.retention_years} years after a review ends)"
            )
            if not due:
                self.stdout.write("  No reviews are due.")
            for d in due:
                self.stdout.write(
                    f"  {d.review.reference}\t{d.review.get_state_display()}\tended {d.ended_on:%-d %B %Y}\t"
                    f"kept until {d.kept_until:%-d %B %Y}"
                )
