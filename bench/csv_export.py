"""The board plan's CSV download alone, against the baseline page in the same run: what bench.pages measures
for the CSV (bench/exports.py: time to the last byte over HTTP through gunicorn, as the business manager
downloads it), without the pages, the change between rounds or the board pack, so it can be run on a
database somebody else measures (it only signs in: a session and a last-login date).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.csv_export [--rounds 15] [--board 1] [--query "rag=red"]

Each round asks for /help/ (the baseline) and then the CSV, alternately, after three rounds not counted;
it prints the medians, the p95, the CSV's ratio to the baseline's median (issue 17: within 10×), its size,
whether it came streamed, and the machine's load average at the start and the end (the ratio moves with
it on a shared machine)."""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench.server import Server, setup_django

BASELINE = "/help/"


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def _p95_ms(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds; default 15")
    parser.add_argument("--board", type=int, default=1, help="the board's id; default 1 (Board 001)")
    parser.add_argument("--email", default="", help="who downloads; default the board's manager@board-NNN")
    parser.add_argument("--query", default="", help="the plan's filters, e.g. rag=red; default none")
    args = parser.parse_args()
    setup_django()
    from django.urls import reverse

    from bench import exports

    email = args.email or f"manager@board-{args.board:03d}.example"
    load_start = os.getloadavg()
    with Server() as server:
        session = server.session(email)
        url = server.url(reverse("board_action_plan_csv", args=[args.board]))
        url += f"?{args.query}" if args.query else ""
        baseline, last, first, download = [], [], [], {}
        for number in range(3 + args.rounds):
            started = time.perf_counter()
            session.get(server.url(BASELINE), timeout=60).raise_for_status()
            seconds = time.perf_counter() - started
            download = exports.csv_download(session, url, runs=1)
            if number >= 3:
                baseline.append(seconds)
                last.append(download["last_byte_s"][0])
                first.append(download["first_byte_s"][0])
        errors = server.server_errors()
    print(f"{email}: {url}")
    print(f"load average {load_start[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"{BASELINE}: median {_median_ms(baseline)} ms, p95 {_p95_ms(baseline)} ms ({args.rounds} rounds)")
    print(
        f"CSV: median {_median_ms(last)} ms to the last byte (p95 {_p95_ms(last)} ms, first byte "
        f"{_median_ms(first)} ms), {download['bytes']:,} bytes, "
        f"{'streamed' if download['streamed'] else 'NOT streamed'}, status {download['statuses'][0]}"
    )
    print(f"ratio to the baseline's median: {statistics.median(last) / statistics.median(baseline):.1f}×")
    if errors:
        print("gunicorn logged errors:", *errors, sep="\n")


if __name__ == "__main__":
    main()
