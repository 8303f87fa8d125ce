"""gunicorn's configuration for the portal's web processes: the one every way of running the portal uses.

    gunicorn -c gunicorn.conf.py scr_portal.wsgi --bind 0.0.0.0:8000

The Dockerfile and docker-compose.yml start gunicorn so, the README's production section says to, and the
benchmarks (bench/server.py: bench.pages and bench.load) measure the portal so. Where to listen and where to
log differ from place to place and are given on each command line; how many requests are served at once,
and how long a worker may go silent, are decided here, once.

Why these numbers. They are for the two-core machines the portal is sized and measured on (the web
processes, PostgreSQL and a Celery worker sharing them); on a bigger machine set WEB_CONCURRENCY (workers,
gunicorn's own variable) and WEB_THREADS.

- workers = 3, one more than the cores, not gunicorn's rule of thumb of 2 x cores + 1 = 5. A page's time
  is mostly Python (views, forms, templates) holding the interpreter's lock, so CPU-bound work runs in
  parallel only across processes, and more processes than cores only take turns on them, with PostgreSQL
  and the Celery worker also wanting those two cores. The third process keeps a core busy while another
  waits. Each process holds its own copy of Django (about 100 MB resident). No PDF or spreadsheet is made
  in a web process (WeasyPrint and openpyxl run in the Celery worker), so no request needs a process of
  its own for long.
- threads = 4 per worker (gthread): a request also waits (on PostgreSQL, on a slow connection reading a
  page, on a CSV export streamed to the end), and while one thread waits another request uses the
  process. Three processes of four threads serve twelve requests at once, with twelve database
  connections (PostgreSQL allows 100 by default).
- timeout = 30 s. With threads, gunicorn restarts a worker process that has stopped answering its
  arbiter for this long (a stuck process), rather than timing out a slow request; it must still stay
  above the longest request, so that a busy worker is never taken for a stuck one. After issue 17 nothing
  that grows with the data runs in a request (XLSX exports and PDFs are Celery tasks, CSV exports stream).
  In the load run (bench/LOAD.md; 10 simulated people for 30 s on the shared two-core machine, load
  average 4) the slowest requests were the sign-ins at the very start, 5 to 9 s (ten at once, each
  hashing a password, on workers just started); every other request took under 1.6 s. 30 s leaves a
  wide margin.
- child_exit: when a worker process ends, however it ends (killed at the timeout, SIGKILLed), the
  uploads it was receiving are removed (scr_portal/files.py writes them to a folder of its own).
- keepalive = 5 s: a browser's next request (or the load run's simulated person, who waits 1 to 3 s
  between pages) reuses its connection rather than opening a new one; longer would hold threads idle.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5


def child_exit(server, worker) -> None:
    """Removes the uploads the exited worker process was receiving (scr_portal/files.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_portal.settings")
    from scr_portal.files import remove_upload_folder  # settings only: no Django setup in the arbiter

    remove_upload_folder(worker.pid)
