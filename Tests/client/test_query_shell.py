"""The query shell on a real pseudo-terminal (#13): `cairn query` with no query on a terminal prompts,
assembles a statement over several lines until `;`, prints `\\G` results vertically, recalls the
previous statement with the up arrow, and keeps its history in ~/.cairn_history."""

import os
import pathlib
import pty
import select
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import DATASET, cairn_binary


@pytest.fixture(scope="module")
def data():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-shell-"))
    ingested = subprocess.run(
        [cairn_binary(), "ingest", "--data", str(directory / "data"), str(DATASET)], capture_output=True
    )
    assert ingested.returncode == 0, ingested.stderr
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


class Shell:
    """`cairn query` on the slave side of a pty; the test types on the master side."""

    def __init__(self, directory):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["HOME"] = str(directory)
            os.execv(cairn_binary(), [cairn_binary(), "query", "--data", str(directory / "data")])
        self.screen = b""

    def read_until(self, text, timeout=30):
        deadline = time.time() + timeout
        while text.encode() not in self.screen:
            remaining = deadline - time.time()
            assert remaining > 0, f"no {text!r} on the screen: {self.screen.decode(errors='replace')!r}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    self.screen += os.read(self.fd, 65536)
                except OSError:
                    break
        end = self.screen.index(text.encode()) + len(text.encode())
        found, self.screen = self.screen[:end], self.screen[end:]
        return found.decode(errors="replace")

    def type(self, keys):
        os.write(self.fd, keys.encode())

    def close(self):
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_the_shell_on_a_terminal(data):
    shell = Shell(data)
    shell.read_until("cairn> ")
    shell.type("SELECT eventname, count(*) AS n\r")
    shell.read_until("   ...> ")
    shell.type("FROM default GROUP BY 1 ORDER BY 2 DESC LIMIT 2;\r")
    table = shell.read_until("(2 rows)")
    assert "Decrypt             | 178" in table, table
    assert "(2 rows)" in table
    shell.read_until("cairn> ")
    # The up arrow brings the statement back (one line); editing keys work on it.
    shell.type("\x1b[A")
    recalled = shell.read_until("LIMIT 2;")
    assert "SELECT eventname, count(*) AS n FROM default GROUP BY 1 ORDER BY 2 DESC LIMIT 2;" in recalled
    shell.type("\x15SELECT eventname FROM default ORDER BY eventtime LIMIT 1\\G\r")
    vertical = shell.read_until("(1 row)")
    assert "*************************** 1. row ***************************" in vertical, vertical
    assert "eventname: " in vertical
    shell.read_until("cairn> ")
    shell.type("SELECT 'half\r")
    shell.read_until("   ...> ")
    shell.type("\x03")  # Ctrl-C drops the half-typed statement
    shell.read_until("cairn> ")
    shell.type("\\q\r")
    assert shell.close() == 0
    history = (data / ".cairn_history").read_text().splitlines()
    assert history[-2:] == [
        "SELECT eventname, count(*) AS n FROM default GROUP BY 1 ORDER BY 2 DESC LIMIT 2;",
        "SELECT eventname FROM default ORDER BY eventtime LIMIT 1\\G",
    ]
