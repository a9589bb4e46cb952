"""Operating the server: /metrics, the connection limit, graceful shutdown."""

import pathlib
import shutil
import socket
import tempfile
import time
import urllib.request

from conftest import Server


def test_metrics_count_requests_and_connection_limit_holds():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-ops-"))
    server = Server(directory / "data", extra_args=["--max-connections", "4"])
    try:
        server.aws("cloudtrail", "list-event-data-stores")
        server.aws("cloudtrail", "get-event-data-store", "--event-data-store", "nope-store", expect_error="EventDataStoreNotFoundException")
        held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", server.port))
        extra.settimeout(5)
        try:
            extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = extra.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            answer = b""  # closed by the server before or while the request was sent
        assert answer == b"", "a connection over the limit was served"
        for connection in held:
            connection.close()
        time.sleep(0.3)
        text = urllib.request.urlopen(server.endpoint + "/metrics", timeout=10).read().decode()
        assert 'cairn_requests_total{operation="ListEventDataStores",code="200"} 1' in text
        assert 'cairn_requests_total{operation="GetEventDataStore",code="EventDataStoreNotFoundException"} 1' in text
        assert "cairn_request_duration_seconds_bucket" in text
        assert "cairn_http_connections_refused 1" in text
    finally:
        assert server.stop() == 0
        shutil.rmtree(directory, ignore_errors=True)
