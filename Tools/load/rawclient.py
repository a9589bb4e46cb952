"""A light HTTP/1.1 load client for `load.py`: pre-signed requests replayed over many keep-alive
connections from one process with non-blocking sockets, so the client costs little of the CPU it
shares with the server on loopback (botocore signing and http.client cost ~1 ms a request, as much
as the call being measured).

Requests are signed with botocore's SigV4 signer before the run starts; a signature is valid for
the server's 15 minutes of clock skew, so a run must be shorter than that. Two loads:

- closed loop: every connection sends its next request as soon as the previous answer is read;
- open loop (`rate`): requests are due at a fixed total rate, spread over the connections, and a
  latency is measured from when the request was due, so a queue in the server (or a busy connection)
  counts against it (no coordinated omission).
"""

import selectors
import socket
import time
import urllib.parse


class Request:
    """One pre-encoded request and the label its latency is reported under."""

    def __init__(self, label, raw):
        self.label = label
        self.raw = raw


def encode(method, path, headers, body):
    lines = [f"{method} {path} HTTP/1.1"]
    for name, value in headers.items():
        lines.append(f"{name}: {value}")
    if not any(name.lower() == "content-length" for name in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.outgoing = b""
        self.incoming = bytearray()
        self.request = None
        self.due = 0.0
        self.expected = None  # total bytes of the answer once its head is read
        self.body_start = 0
        self.status = None


def run(endpoint, requests, connections, seconds, rate=None, check=None, once=False):
    """Replays `requests` (cycled, or each once with `once`) for at most `seconds`; returns
    {label: [latency seconds]}, the failed answers (label, status, first bytes) and the time taken."""
    parsed = urllib.parse.urlparse(endpoint)
    selector = selectors.DefaultSelector()
    pool = [Connection(parsed.hostname, parsed.port) for _ in range(connections)]
    latencies = {}
    failures = []
    next_request = 0
    started = time.perf_counter()
    deadline = started + seconds
    interval = 1.0 / rate if rate else 0.0
    next_due = started
    idle = list(pool)
    for conn in pool:
        selector.register(conn.sock, selectors.EVENT_READ, conn)

    def send(conn, due):
        nonlocal next_request
        conn.request = requests[next_request % len(requests)]
        next_request += 1
        conn.due = due
        conn.outgoing = conn.request.raw
        conn.incoming.clear()
        conn.expected = None
        flush(conn)

    def flush(conn):
        while conn.outgoing:
            try:
                sent = conn.sock.send(conn.outgoing)
            except BlockingIOError:
                selector.modify(conn.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn)
                return
            conn.outgoing = conn.outgoing[sent:]
        selector.modify(conn.sock, selectors.EVENT_READ, conn)

    while True:
        now = time.perf_counter()
        exhausted = once and next_request >= len(requests)
        if (now >= deadline or exhausted) and len(idle) == len(pool):
            break
        if now < deadline and not exhausted:
            if rate:
                while idle and next_due <= now:
                    send(idle.pop(), next_due)
                    next_due += interval
            else:
                while idle:
                    send(idle.pop(), now)
        timeout = 0.05
        if rate and now < deadline:
            timeout = max(0.0, min(timeout, next_due - now)) if idle else timeout
        for key, mask in selector.select(timeout):
            conn = key.data
            if mask & selectors.EVENT_WRITE:
                flush(conn)
            if not mask & selectors.EVENT_READ:
                continue
            try:
                chunk = conn.sock.recv(1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise SystemExit("the server closed a connection")
            conn.incoming += chunk
            if conn.expected is None:
                head_end = conn.incoming.find(b"\r\n\r\n")
                if head_end < 0:
                    continue
                head = bytes(conn.incoming[:head_end]).decode("latin-1").split("\r\n")
                conn.status = int(head[0].split(" ")[1])
                length = 0
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                conn.body_start = head_end + 4
                conn.expected = conn.body_start + length
            if len(conn.incoming) < conn.expected:
                continue
            finished = time.perf_counter()
            body = bytes(conn.incoming[conn.body_start:conn.expected])
            latencies.setdefault(conn.request.label, []).append(finished - conn.due)
            if conn.status != 200 or (check and not check(conn.request, body)):
                failures.append((conn.request.label, conn.status, body[:300]))
            if time.perf_counter() < deadline and not rate and not (once and next_request >= len(requests)):
                send(conn, time.perf_counter())
            else:
                idle.append(conn)
    for conn in pool:
        conn.sock.close()
    return latencies, failures, time.perf_counter() - started
