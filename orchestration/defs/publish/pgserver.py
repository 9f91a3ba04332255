"""A throwaway PostgreSQL server in a folder of its own, for the lake demo and the lake tests.

Debian's PostgreSQL binaries (``apt-get install postgresql``) in ``/usr/lib/postgresql/15/bin``
(bookworm; another version's folder if that is missing, or ``$DCPULSE_PG_BIN``). The server:

- listens on ``127.0.0.1`` only, on a free port, with its Unix socket in the folder too;
- trusts local connections (``initdb --auth=trust``): it is a single-user demo/test server;
- runs as a non-root user: PostgreSQL refuses to run as root, so under root a system user
  ``dcpulse-pg`` is created (``useradd --system``) and owns the folder;
- is started in a new process group and stopped by PID (``pg_ctl stop -m fast``, then SIGKILL).

Use it as a context manager so it stops whatever happens::

    with PgServer(Path("data/lake/pg")) as pg:
        print(pg.conninfo)
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from transforms.storage.paths import PROJECT_ROOT

PG_BIN_DEFAULT = Path("/usr/lib/postgresql/15/bin")
SERVICE_USER = "dcpulse-pg"
SUPERUSER = "dcpulse"
DEFAULT_DB = "dcpulse"


class PgServerError(RuntimeError):
    pass


def pg_bin() -> Path:
    """``$DCPULSE_PG_BIN``, else Debian's 15 (bookworm), else the newest ``/usr/lib/postgresql/<n>/bin``."""
    if os.environ.get("DCPULSE_PG_BIN"):
        return Path(os.environ["DCPULSE_PG_BIN"])
    if (PG_BIN_DEFAULT / "initdb").exists():
        return PG_BIN_DEFAULT
    found = [p.parent for p in PG_BIN_DEFAULT.parents[1].glob("*/bin/initdb") if p.parent.parent.name.isdigit()]
    return max(found, key=lambda p: int(p.parent.name)) if found else PG_BIN_DEFAULT


def ensure_binaries() -> str | None:
    """Install Debian's ``postgresql`` when its binaries are missing and we are root (apt, from Debian's
    mirror); returns what is still missing (None when the server can run)."""
    if binaries_missing() is None or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return binaries_missing()
    print("PostgreSQL not found: apt-get install -y postgresql", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=False, env=env, stdout=subprocess.DEVNULL)
    return binaries_missing()


def binaries_missing() -> str | None:
    """None when initdb/pg_ctl/createdb are there, else a message saying what to install."""
    missing = [name for name in ("initdb", "pg_ctl", "createdb", "postgres") if not (pg_bin() / name).exists()]
    if missing:
        return (
            f"PostgreSQL server binaries not found in {pg_bin()} (missing: {', '.join(missing)}). "
            "Install Debian's `postgresql` package: apt-get install -y postgresql"
        )
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVICE_USER)


def _reachable_by(path: Path, user: pwd.struct_passwd) -> bool:
    """Every parent of ``path`` lets ``user`` pass (others' x bit, or owned by the user)."""
    for parent in path.resolve().parents:
        st = parent.stat()
        if st.st_uid == user.pw_uid:
            continue
        if not st.st_mode & 0o001:
            return False
    return True


class PgServer:
    """initdb (once), start, createdb; ``stop()`` by PID. ``folder`` holds ``data/``, ``sock/``, ``server.log``."""

    def __init__(self, folder: Path, port: int | None = None, dbname: str = DEFAULT_DB) -> None:
        self.folder = Path(folder).resolve()
        self.port = port
        self.dbname = dbname
        self.pid: int | None = None
        self._user: pwd.struct_passwd | None = None

    # -- paths and connection strings ---------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "sock"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    @property
    def conninfo(self) -> str:
        """libpq conninfo over TCP on 127.0.0.1 (no password: trust auth)."""
        return f"dbname={self.dbname} host=127.0.0.1 port={self.port} user={SUPERUSER}"

    # -- running commands as the server's user -------------------------------------------------
    def _run(self, args: list[str], check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(self.folder),
            env={"PATH": f"{pg_bin()}:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
            start_new_session=True,
            check=False,
            **kwargs,  # type: ignore[arg-type]
        )
        if check and result.returncode != 0:
            raise PgServerError(
                f"{Path(args[0]).name} failed ({result.returncode}): {(result.stderr or result.stdout).strip()}"
            )
        return result

    def _prepare_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            self._user = _ensure_service_user()
            if not _reachable_by(self.folder, self._user):
                raise PgServerError(
                    f"{self.folder} is not reachable by the user {SERVICE_USER} (a parent folder lacks o+x); "
                    "put the server folder somewhere world-traversable"
                )
            for path in [self.folder, *self.folder.rglob("*")]:
                os.chown(path, self._user.pw_uid, self._user.pw_gid, follow_symlinks=False)
        self.folder.chmod(0o700)

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> PgServer:
        problem = binaries_missing()
        if problem:
            raise PgServerError(problem)
        self._prepare_folder()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                [
                    str(pg_bin() / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
        self._remove_stale_pidfile()
        last_error: Exception | None = None
        for _ in range(3):  # a free port can be taken between probing and binding: try another
            port = self.port or free_port()
            options = f"-p {port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            result = self._run(
                [
                    str(pg_bin() / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "start",
                ],
                check=False,
                timeout=timeout + 10,
            )
            if result.returncode == 0:
                self.port = port
                self.pid = self._read_pid()
                break
            last_error = PgServerError(f"pg_ctl start failed: {self._log_tail()}")
            if self.port is not None:
                break
        else:
            raise last_error or PgServerError("pg_ctl start failed")
        if self.pid is None:
            raise last_error or PgServerError("pg_ctl start failed")
        try:
            self.create_database()
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str | None = None) -> str:
        """createdb ``name`` (default: the server's dbname) if it does not exist; returns its conninfo."""
        name = name or self.dbname
        result = self._run(
            [str(pg_bin() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name],
            check=False,
        )
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise PgServerError(f"createdb failed: {result.stderr.strip()}")
        return f"dbname={name} host=127.0.0.1 port={self.port} user={SUPERUSER}"

    def _read_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def _remove_stale_pidfile(self) -> None:
        """A server killed earlier (machine restart) leaves postmaster.pid; pg_ctl handles a dead PID itself,
        but a PID reused by another process would make it refuse: remove it when that PID is not a postgres."""
        pid = self._read_pid()
        if pid is None:
            return
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            cmdline = b""
        if b"postgres" not in cmdline:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / "postmaster.pid").unlink()

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log)"

    def stop(self, timeout: float = 30) -> None:
        """pg_ctl stop -m fast; if the server is still there, SIGKILL its PID. Safe to call twice."""
        pid = self.pid or self._read_pid()
        if pid is None:
            return
        with contextlib.suppress(Exception):
            self._run(
                [
                    str(pg_bin() / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "stop",
                ],
                check=False,
                timeout=timeout + 10,
            )
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.pid = None

    def remove(self) -> None:
        """Stop, then delete the folder (for tests)."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as gone
    with contextlib.suppress(FileNotFoundError):
        if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m orchestration.defs.publish.pgserver start|stop [FOLDER]`` (default ``data/lake/pg``): start
    prints the conninfo and leaves the server running (e.g. to browse the lake-demo lake); stop stops it by PID."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("start", "stop"):
        print("usage: python -m orchestration.defs.publish.pgserver start|stop [FOLDER]", file=sys.stderr)
        return 2
    folder = Path(args[1]) if len(args) > 1 else PROJECT_ROOT / "data" / "lake" / "pg"
    server = PgServer(folder)
    if args[0] == "start":
        server.start()
        print(
            f"{server.conninfo}  (pid {server.pid}; stop: python -m orchestration.defs.publish.pgserver stop {folder})"
        )
    else:
        server.stop()
        print(f"stopped the server in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
