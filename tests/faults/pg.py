"""The real PostgreSQL cluster that .ci/run starts, stopped and started again by the database fault tests as
an operator would (pg_ctl, fast shutdown), and the portal served by gunicorn against the test's database.

.ci/run exports what is needed to control its cluster: SCR_PG_BIN (PostgreSQL's bin directory),
SCR_PG_DATA (the data directory), SCR_PG_LOG (the server log) and SCR_PG_OPTIONS (the exact server options
it was started with). To run the tests by hand, point them and DATABASE_URL at a cluster of your own."""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENT = ("SCR_PG_BIN", "SCR_PG_DATA", "SCR_PG_LOG", "SCR_PG_OPTIONS")


@dataclass(frozen=True)
class PostgresCluster:
    bin: Path
    data: Path
    log: Path
    options: str

    @classmethod
    def from_environment(cls) -> PostgresCluster | None:
        """The cluster the environment names, or None when any of its variables is missing."""
        values = [os.environ.get(name) for name in ENVIRONMENT]
        if not all(values):
            return None
        bin_dir, data, log, options = values
        return cls(bin=Path(bin_dir), data=Path(data), log=Path(log), options=options)

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: act as the data directory's owner
            owner = pwd.getpwuid(self.data.stat().st_uid).pw_name
            command = ["runuser", "-u", owner, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check)

    def running(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    def port(self) -> int:
        """The port the running server listens on (the fourth line of postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text().splitlines()[3])

    def stop(self) -> float:
        return _timed(lambda: self._pg_ctl("stop", "-m", "fast", "-w"))

    def start(self) -> float:
        return _timed(lambda: self._pg_ctl("start", "-w", "-l", str(self.log), "-o", self.options))

    def restart(self) -> float:
        return _timed(
            lambda: self._pg_ctl("restart", "-m", "fast", "-w", "-l", str(self.log), "-o", self.options)
        )


def _timed(action: Callable[[], object]) -> float:
    """Runs `action` and returns the seconds it took."""
    started = time.monotonic()
    action()
    return time.monotonic() - started
