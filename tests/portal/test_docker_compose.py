"""docker-compose.yml describes the scaled shape; no Docker engine runs here, so check what can be checked:
it parses, every service is there, and every command it names exists in the project."""

import re
import runpy
import shlex

import yaml
from django.core.management import get_commands

from scr_portal.settings import BASE_DIR

COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
PINNED = {
    re.split(r"[=\[ ]", line, maxsplit=1)[0].lower()
    for line in (BASE_DIR / "requirements.txt").read_text().splitlines()
    if line and not line.startswith("#")
}


def _check_command(argv: list[str]) -> None:
    program = argv[0]
    if program == "python":
        assert argv[1] == "manage.py", argv
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
    elif program == "gunicorn":
        assert "gunicorn" in PINNED
        # Always with the one configuration (workers, threads, timeout), then the application.
        assert argv[1:3] == ["-c", "gunicorn.conf.py"], argv
        assert (BASE_DIR / "gunicorn.conf.py").exists()
        module = argv[3].split(":")[0]
        assert (BASE_DIR / (module.replace(".", "/") + ".py")).exists(), module
        assert not {"--workers", "-w", "--threads", "--timeout", "-t"} & set(argv), argv
    elif program == "celery":
        assert "celery" in PINNED
        assert argv[1:3] == ["-A", "scr_portal"] and argv[3] in {"worker", "beat"}, argv
        assert (BASE_DIR / "scr_portal" / "celery.py").exists()
    else:
        raise AssertionError(f"unknown program {program!r} in docker-compose.yml")


def test_compose_has_every_part_of_the_scaled_shape():
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(COMPOSE["services"])
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:")


def test_every_portal_command_exists_in_the_project():
    portal_services = [s for s in COMPOSE["services"].values() if s.get("build") == "."]
    assert len(portal_services) == 4
    for service in portal_services:
        _check_command(shlex.split(service["command"]))
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")


def test_dockerfile_default_command_exists():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)
    _check_command(yaml.safe_load(cmd))
    assert "collectstatic" in dockerfile and "collectstatic" in get_commands()


def test_every_way_of_running_gunicorn_reads_the_one_configuration():
    """The README's production section, the Dockerfile, docker-compose.yml and the benchmarks' server all
    start gunicorn with gunicorn.conf.py, and none sets workers, threads or the timeout on its own."""
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["timeout"]) == (3, 4, 30)
    assert config["worker_class"] == "gthread"
    readme = (BASE_DIR / "README.md").read_text()
    started = [line for line in readme.splitlines() if re.search(r"\bgunicorn\s+(-|scr_portal)", line)]
    assert started and all("-c gunicorn.conf.py" in line for line in started), started
    assert all(not re.search(r"--(workers|threads|timeout)\b", line) for line in started), started
    server = (BASE_DIR / "bench" / "server.py").read_text()
    assert '"gunicorn.conf.py"' in server and '"--timeout"' not in server


def test_compose_sets_the_address_in_the_portal_s_emails():
    for service in (s for s in COMPOSE["services"].values() if s.get("build") == "."):
        assert service["environment"]["PORTAL_BASE_URL"].startswith("${PORTAL_BASE_URL:-")


def test_the_readme_lists_every_setting_the_deployment_needs():
    readme = (BASE_DIR / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    for name in ("PORTAL_BASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        assert any(line.startswith(f"| `{name}` |") for line in table), name
