"""A real Virtuoso (Debian's virtuoso-opensource) for the tests and benches: started from a private ini in a
folder of its own (database files, ports), on free loopback ports, stopped by its PID.

Not a conftest.py: test_virtuoso.py and bench/store_compare.py import it. scripts/test.sh installs the
package; without it the tests skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD_ENV = "VIRTUOSO_TEST_PASSWORD"  # the variable our settings read the dba password from
PASSWORD = "dba"  # a new Virtuoso database's dba password; the server listens on loopback only
GRAPH = "https://w3id.org/fzqa/kg"
# Seconds a new database may take to come up: about 5 s measured on this 2-core machine while idle.
START_LIMIT = 90.0
# Seconds the server gives one query before it stops it on its side (our own limit is query_timeout).
SERVER_QUERY_SECONDS = 20

# GROUP_CONCAT's order is not defined by SPARQL: these columns are compared as sets of their parts (Virtuoso 7.2
# orders compare_measures' sharedTopics otherwise than the embedded store, and not always the same way). Virtuoso
# 7.2 also writes a non-ASCII separator literal as "?" (measure_metadata's "、"; tried: \u escapes, charset
# headers, SQL_UTF8_EXECS), so the issuers' parts are split at either.
CONCAT = {"levels": ",", "itemised": ",", "issuers": "[、?]", "sharedTopics": ","}


def canon(row: dict[str, Any]) -> str:
    """A row of a named query in a form that compares across stores."""
    return json.dumps(
        {k: sorted(re.split(CONCAT[k], str(v))) if k in CONCAT else v for k, v in row.items()},
        sort_keys=True,
        ensure_ascii=False,
    )


def same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    return sorted(map(canon, a)) == sorted(map(canon, b))


INI = """\
[Database]
DatabaseFile = {d}/fzqa.db
ErrorLogFile = {d}/fzqa.log
LockFile = {d}/fzqa.lck
TransactionFile = {d}/fzqa.trx
xa_persistent_file = {d}/fzqa.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/fzqa-temp.db
TransactionFile = {d}/fzqa-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}, {kg}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CaseMode = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {secs}
"""


def binary() -> str | None:
    return shutil.which("virtuoso-t")


def require() -> str:
    """virtuoso-t; without it the caller skips locally and fails in CI (CI=true)."""
    import pytest

    exe = binary()
    if exe and shutil.which("isql-vt"):
        return exe
    msg = "virtuoso-t or isql-vt is missing: apt-get install -y virtuoso-opensource (scripts/test.sh does)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg + " (CI is set, so a missing server is a failure)")
    pytest.skip(msg)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Virtuoso:
    folder: Path
    sql_port: int
    http_port: int
    proc: subprocess.Popen[bytes]
    log: Path
    stopped: bool = field(default=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def settings_values(self, loader: str = "virtuoso") -> dict[str, Any]:
        """Our settings for this server; ``loader`` "virtuoso" (isql-vt) or "graph-store" for publish."""
        return {
            "sparql_endpoint": f"{self.base}/sparql",
            "sparql_graph": GRAPH,
            "sparql_user": "dba",
            "sparql_password_env": PASSWORD_ENV,
            "virtuoso_isql": f"127.0.0.1:{self.sql_port}" if loader == "virtuoso" else "",
            "sparql_graph_store": f"{self.base}/sparql-graph-crud-auth",
            "sparql_update_endpoint": f"{self.base}/sparql-auth",
        }

    def env(self) -> dict[str, str]:
        """The same settings as FZQA_* environment variables, for a subprocess (`fzqa serve`, `fzqa ask`)."""
        out = {f"FZQA_{k.upper()}": str(v) for k, v in self.settings_values().items()}
        out[PASSWORD_ENV] = PASSWORD
        return out

    def stop(self) -> None:
        """Stop the server this fixture started, by its PID: SIGTERM (a checkpoint, then exit), then SIGKILL."""
        if self.stopped:
            return
        self.stopped = True
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def start(folder: Path) -> Virtuoso:
    """A new Virtuoso with its database in ``folder``, on free loopback ports, answering /sparql."""
    exe = binary()
    if exe is None:
        raise RuntimeError("virtuoso-t is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "www").mkdir(exist_ok=True)
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(d=folder, kg=ROOT / "kg", sql=sql, http=http, secs=SERVER_QUERY_SECONDS))
    log = folder / "stdout.log"
    out = log.open("wb")
    proc = subprocess.Popen([exe, "+configfile", str(ini), "+foreground"], cwd=folder, stdout=out, stderr=out)
    out.close()
    v = Virtuoso(folder, sql, http, proc, log)
    atexit.register(v.stop)  # also when the test session dies before the fixture's finalizer runs
    os.environ.setdefault(PASSWORD_ENV, PASSWORD)
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            r = httpx.get(f"{v.base}/sparql", params={"query": "ASK {}"}, timeout=2, trust_env=False)
            if r.status_code == 200:
                return v
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    v.stop()
    raise RuntimeError(f"virtuoso did not answer within {START_LIMIT:g} s:\n{log.read_text(errors='replace')[-3000:]}")
