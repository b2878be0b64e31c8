"""A local ClickHouse server for the `clickhouse` target, with no install.

The server is the ClickHouse engine (26.9) inside chdb's native module: in a
child process, one query starts its HTTP and native TCP listeners and then
sleeps one row at a time, which keeps them up until the process is stopped.
Everything lives in one folder: config.xml, users.xml, the data, the log and
the pid file.

    export CLICKHOUSE_PASSWORD=choose-one
    python scripts/clickhouse_server.py start            # target/clickhouse, ports 8123 and 9000
    dbt build --target clickhouse
    python scripts/clickhouse_server.py load-events --replace 'data/sample/events/*.parquet'
    python scripts/clickhouse_server.py status
    python scripts/clickhouse_server.py stop

Users (users.xml): CLICKHOUSE_USER (default `activation`) with the password
CLICKHOUSE_PASSWORD, stored as its SHA-256, and every right; `default`, with no
password, may only start the listeners and read `system.numbers`, which the
keep-alive query needs. Both from 127.0.0.1 only.

Pinned: chdb and chdb-core in requirements-chdb.txt.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

DEFAULT_FOLDER = Path("target/clickhouse")
DEFAULT_USER = "activation"
# SIGTERM ends the keep-alive query and the process; data is on disk by then.
STOP_TIMEOUT_SECONDS = 15.0
START_TIMEOUT_SECONDS = 60.0

# The query the server process runs: the listeners, then a sleep of one row a
# second (a bigger block would pass the engine's 3 s limit on one sleep).
KEEP_ALIVE = (
    "SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; "
    "select sum(sleepEachRow(1)) from numbers(1000000000000) settings max_block_size = 1"
)


class ServerError(RuntimeError):
    """The server could not be started or stopped; the message says why."""


@dataclass(frozen=True)
class Server:
    """A server's folder, its ports and the project's user."""

    folder: Path
    http_port: int = 8123
    tcp_port: int = 9000
    user: str = DEFAULT_USER
    password: str = ""
    # (host, native port) of each shard of the cluster `activation_shards`, when it has any
    shards: tuple[tuple[str, int], ...] = field(default=())

    @property
    def pid_file(self) -> Path:
        return self.folder / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


def _users_xml(server: Server) -> str:
    digest = hashlib.sha256(server.password.encode()).hexdigest()
    local = "<networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota>"
    return f"""<clickhouse>
  <profiles><default/></profiles>
  <quotas><default/></quotas>
  <users>
    <default>
      <no_password/>{local}
      <grants><query>GRANT SYSTEM LISTEN ON *.*</query><query>GRANT SELECT ON system.numbers</query></grants>
    </default>
    <{escape(server.user)}>
      <password_sha256_hex>{digest}</password_sha256_hex>{local}
      <access_management>1</access_management>
      <named_collection_control>1</named_collection_control>
    </{escape(server.user)}>
  </users>
</clickhouse>
"""


def _config_xml(server: Server) -> str:
    shards = "".join(
        f"<shard><replica><host>{escape(host)}</host><port>{port}</port><user>{escape(server.user)}</user>"
        f"<password>{escape(server.password)}</password></replica></shard>"
        for host, port in server.shards
    )
    remote_servers = f"<remote_servers><activation_shards>{shards}</activation_shards></remote_servers>" if shards else ""
    # chdb sizes the background pools for an embedded engine (2 threads each on
    # this 2-core machine), so one table's mutation at a time ran and the rest
    # were paused ("Temporarily pause scheduling" in server.log): each
    # lightweight delete of an incremental run waited up to a second. A server
    # from ClickHouse's packages starts with background_pool_size 16 and a
    # larger schedule pool; these sizes make the local server behave like one.
    return f"""<clickhouse>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{server.http_port}</http_port>
  <tcp_port>{server.tcp_port}</tcp_port>
  <users_config>users.xml</users_config>
  <logger><level>warning</level><console>1</console></logger>
  <background_schedule_pool_size>128</background_schedule_pool_size>
  <background_pool_size>16</background_pool_size>
  {remote_servers}
</clickhouse>
"""


def running_pid(folder: Path) -> int | None:
    """The pid of the server on `folder`, if one is alive."""
    try:
        pid = int((folder / "server.pid").read_text())
    except (FileNotFoundError, ValueError):
        return None
    try:
        # a pid of a server that died long ago may since name another process
        ours = b"_serve" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        ours = False
    return pid if ours and _alive(pid) else None


def ping(server: Server, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{server.url()}/ping", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A port nothing listens on now (for tests: another process may take it first)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(server: Server, tied_to_parent: bool = False) -> Server:
    """Starts `server` and waits for its /ping. With `tied_to_parent` the server
    dies with the calling process (tests); otherwise it outlives it."""
    server.folder.mkdir(parents=True, exist_ok=True)
    pid = running_pid(server.folder)
    if pid is not None:
        raise ServerError(
            f"a ClickHouse server already runs on {server.folder} (pid {pid}); "
            f"stop it first: python scripts/clickhouse_server.py stop --folder {server.folder}"
        )
    for port in (server.http_port, server.tcp_port):
        if _port_taken(port):
            raise ServerError(f"port {port} on 127.0.0.1 is already in use: choose another (--http-port, --tcp-port)")
    (server.folder / "config.xml").write_text(_config_xml(server))
    users = server.folder / "users.xml"
    users.write_text(_users_xml(server))
    users.chmod(0o600)

    def die_with_parent() -> None:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    log = server.log_file.open("ab")
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "_serve", str(server.folder.resolve())],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent if tied_to_parent else None,
        start_new_session=not tied_to_parent,
    )
    log.close()
    server.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ping(server, timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            server.pid_file.unlink(missing_ok=True)
            raise ServerError(f"the ClickHouse server on {server.folder} did not start:\n{_log_tail(server)}")
        time.sleep(0.1)
    return server


def stop(folder: Path) -> bool:
    """Stops the server on `folder`; False if none was running."""
    pid = running_pid(folder)
    if pid is None:
        (folder / "server.pid").unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    (folder / "server.pid").unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        # reap it if it is our child, so that it does not linger as a zombie
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _log_tail(server: Server, lines: int = 20) -> str:
    try:
        return "\n".join(server.log_file.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def _serve(folder: Path) -> None:
    """The server process: load chdb's engine directly (chdb's package would open
    a session as `default`, which has no rights here) and keep it listening."""
    spec = importlib.util.find_spec("chdb")
    assert spec is not None and spec.submodule_search_locations, "chdb is not installed (requirements-chdb.txt)"
    [library] = glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "_chdb.abi3.so"))
    ctypes.CDLL(library, mode=sys.getdlopenflags() | 0x8)  # RTLD_DEEPBIND, as chdb itself loads it
    module_spec = importlib.util.spec_from_file_location("_chdb", library)
    assert module_spec is not None and module_spec.loader is not None
    engine = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(engine)
    os.chdir(folder)  # the engine reads config.xml from the working folder
    # this query's format becomes the HTTP interface's default: ClickHouse's own,
    # which clients that send no FORMAT (clickhouse-connect's first query) expect
    result = engine.query(KEEP_ALIVE, "TabSeparated", path=str(folder / "data"))
    if result.has_error():
        sys.exit(f"ClickHouse server stopped: {result.error_message()}")


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["_serve"]:
        _serve(Path(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "load-events"])
    parser.add_argument("files", nargs="*", help="load-events: Parquet files or patterns")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("CLICKHOUSE_PORT", "8123")))
    parser.add_argument("--tcp-port", type=int, default=int(os.environ.get("CLICKHOUSE_TCP_PORT", "9000")))
    parser.add_argument("--replace", action="store_true", help="load-events: empty the events table first")
    args = parser.parse_intermixed_args(argv)
    user = os.environ.get("CLICKHOUSE_USER", DEFAULT_USER)
    password = os.environ.get("CLICKHOUSE_PASSWORD", "")
    server = Server(args.folder, args.http_port, args.tcp_port, user, password)
    try:
        if args.command == "start":
            if not password:
                raise ServerError("set CLICKHOUSE_PASSWORD (the project's user's password) before starting")
            start(server)
            print(f"ClickHouse server on {server.folder}: http {server.url()}, native port {server.tcp_port}, "
                  f"user {user}")
        elif args.command == "stop":
            print("stopped" if stop(args.folder) else f"no server was running on {args.folder}")
        elif args.command == "status":
            pid = running_pid(args.folder)
            if pid is None:
                print(f"no server on {args.folder}")
                return 1
            # the ports it was started with, whatever this shell's defaults
            config = ElementTree.parse(args.folder / "config.xml").getroot()
            server = Server(args.folder, int(config.findtext("http_port") or 8123),
                            int(config.findtext("tcp_port") or 9000))
            print(f"running on {args.folder} (pid {pid}), http port {server.http_port}, native port "
                  f"{server.tcp_port}; /ping: {'ok' if ping(server) else 'no answer'}")
        else:
            import clickhouse_events  # scripts/ is on the path when run as a script

            files = sorted(path for pattern in args.files for path in glob.glob(pattern))
            if not files:
                raise ServerError(f"no Parquet files match {' '.join(args.files)}")
            added = clickhouse_events.load_from_profile(files, replace=args.replace)
            print(f"loaded {added:,} events from {len(files)} files")
    except ServerError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
