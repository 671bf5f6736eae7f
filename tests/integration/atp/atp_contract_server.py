#!/usr/bin/env python3
"""ATP Cloud contract server: a local HTTPS stand-in for Juniper ATP Cloud's Threat Intelligence
Open API (custom C&C feeds), written from the public documentation for guardfeed's integration
tests. Python 3 standard library only.

API (under /v1/cloudfeeds, every request checked as documented; see
docs/deploy-srx-atp-cloud.md for what is documented and what this server assumes):
  GET    /ping                                 200, no token needed
  POST   /cc/file/{ip|url|domain}/{feed_name}  create a feed from the uploaded CSV (409 if it exists)
  PATCH  /cc/file/{ip|url|domain}/{feed_name}  add servers / update threat levels (404 if absent)
  DELETE /cc/file/{ip|url|domain}/{feed_name}  remove the servers listed in the upload, or the
                                               whole feed when nothing is uploaded (404 if absent)
  GET    /cc/file/{ip|url|domain}/{feed_name}  processing status of the feed (404 if absent)
Uploads: multipart/form-data with a boundary, a `file` part holding CSV lines `server,threat_level`
(POST, PATCH) or `server` (DELETE), optional `failOnError` part; threat level 1..10; servers valid
for the content type. Authorization: "Bearer <token>". Accepted changes answer 202 with a
request_id. Over the per-minute limit (default 60): 429 with Retry-After.

Test-only endpoints (no token, not rate limited, not logged):
  GET  /_test/state   {"feeds": {"ip/name": {server: level}}, "requests": [...], "faults": n}
  POST /_test/inject  {"status": 429|5xx, "retry_after": "1", "count": 1, "method": "PATCH",
                       "delay": seconds}   next matching API requests fail as told; with "delay"
                       the server waits that long and answers 504 without applying anything
  POST /_test/config  {"token": "...", "rate_limit": n, "rate_window": seconds}
  POST /_test/reset   forget feeds, requests and faults

Usage: atp_contract_server.py --cert C --key K --token T [--port 0] [--port-file F]
       [--parent-pid P]   (exits when that process is gone, so a crashed test leaves nothing)
"""

import argparse
import collections
import ipaddress
import json
import math
import os
import re
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/v1/cloudfeeds"
FEED_PATH = re.compile(r"^/cc/file/([^/]*)/([^/]*)$")
FEED_NAME = re.compile(r"^[A-Za-z0-9_]{8,64}$")
CONTENT_TYPES = ("ip", "url", "domain")
MAX_FEEDS = 30
LEVEL = re.compile(r"^(10|[1-9])$")
LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
URL = re.compile(r"^(?:https?://)?(\[[0-9A-Fa-f:.]+\]|[^/:\[\]]+)(?::(\d{1,5}))?(/[^\s,]*)?$")


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def is_domain(text):
    if len(text) > 253 or text.endswith("."):
        return False
    labels = text.split(".")
    return len(labels) >= 2 and all(LABEL.match(label) for label in labels) \
        and not labels[-1].isdigit()


def is_ip(text):
    try:
        if "/" in text:
            ipaddress.ip_network(text, strict=True)
        elif "-" in text:
            first, last = (ipaddress.ip_address(part) for part in text.split("-", 1))
            return first.version == last.version and first <= last
        else:
            ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def is_url(text):
    match = URL.match(text)
    if not match:
        return False
    host, port = match.group(1), match.group(2)
    if port is not None and not 0 < int(port) < 65536:
        return False
    if host.startswith("["):
        return is_ip(host[1:-1]) and ":" in host
    return is_domain(host) or is_ip(host)


VALIDATORS = {"ip": is_ip, "domain": is_domain, "url": is_url}


def parse_multipart(content_type, body):
    """Returns {field name: bytes}; raises ApiError(400) on anything malformed."""
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise ApiError(400, "Content-Type must be multipart/form-data, got %r" % kind.strip())
    match = re.search(r'boundary=("?)([^";]+)\1', params)
    if not match:
        raise ApiError(400, "multipart/form-data without a boundary")
    delimiter = b"--" + match.group(2).encode()
    if not body.startswith(delimiter + b"\r\n"):
        raise ApiError(400, "body does not start with the boundary")
    fields = {}
    rest = body[len(delimiter) + 2:]
    while True:
        end = rest.find(b"\r\n" + delimiter)
        if end < 0:
            raise ApiError(400, "multipart body is not terminated by its boundary")
        name, value = parse_part(rest[:end])
        if name in fields:
            raise ApiError(400, "form field %r sent twice" % name)
        fields[name] = value
        rest = rest[end + 2 + len(delimiter):]
        if rest in (b"--\r\n", b"--"):
            return fields
        if not rest.startswith(b"\r\n"):
            raise ApiError(400, "garbage after a multipart boundary")
        rest = rest[2:]


def parse_part(part):
    head, sep, value = part.partition(b"\r\n\r\n")
    if not sep:
        raise ApiError(400, "multipart part without a header block")
    disposition = None
    for line in head.decode("latin-1").split("\r\n"):
        name, _, text = line.partition(":")
        if name.strip().lower() == "content-disposition":
            disposition = text.strip()
    if disposition is None or not disposition.lower().startswith("form-data"):
        raise ApiError(400, "multipart part without Content-Disposition: form-data")
    match = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
    if not match:
        raise ApiError(400, "multipart part without a name")
    name = match.group(1)
    if name not in ("file", "failOnError"):
        raise ApiError(400, "unexpected form field %r" % name)
    if name == "failOnError" and value not in (b"true", b"false"):
        raise ApiError(400, "failOnError must be true or false")
    return name, value


def parse_csv(data, content_type, with_level):
    """Returns [(server, level or None)] from the uploaded file; raises ApiError(400)."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ApiError(400, "file is not ASCII")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ApiError(400, "file has no lines")
    rows, seen = [], set()
    for number, line in enumerate(lines, 1):
        fields = line.rstrip("\r").split(",")
        where = "file line %d" % number
        if len(fields) != (2 if with_level else 1):
            expected = "server,threat_level" if with_level else "server"
            raise ApiError(400, "%s: expected %s, got %r" % (where, expected, line))
        server = fields[0]
        if not VALIDATORS[content_type](server):
            raise ApiError(400, "%s: %r is not a valid %s" % (where, server, content_type))
        level = None
        if with_level:
            if not LEVEL.match(fields[1]):
                raise ApiError(400, "%s: threat level must be 1..10, got %r" % (where, fields[1]))
            level = int(fields[1])
        key = server.lower() if content_type != "url" else server
        if key in seen:
            raise ApiError(400, "%s: %r listed twice" % (where, server))
        seen.add(key)
        rows.append((key, level))
    return rows


class State:
    def __init__(self, token):
        self.lock = threading.Lock()
        self.token = token
        self.reset()

    def reset(self):
        self.feeds = {}  # (content type, name) -> {server: level}
        self.requests = []
        self.faults = []
        self.rate_limit = 60
        self.rate_window = 60.0
        self.started = collections.deque()

    def take_fault(self, method):
        for fault in self.faults:
            if fault.get("method") in (None, method) and fault.get("count", 1) > 0:
                fault["count"] = fault.get("count", 1) - 1
                if fault["count"] == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def rate_limited(self):
        """Seconds to wait when over the limit, else None (and the request is counted)."""
        now = time.monotonic()
        while self.started and self.started[0] + self.rate_window <= now:
            self.started.popleft()
        if len(self.started) >= self.rate_limit:
            return max(1, math.ceil(self.started[0] + self.rate_window - now))
        self.started.append(now)
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "atp-contract/1"
    timeout = 30

    def log_message(self, fmt, *args):  # quiet; the token is never printed anywhere
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def dispatch(self, method):
        state = self.server.state
        try:
            body = self.read_body()
            if self.path.startswith("/_test/"):
                return self.test_endpoint(method, body)
            status, payload, headers, record = self.api(method, body)
        except ApiError as error:
            status, payload, headers = error.status, {"message": error.message}, {}
            record = {"error": error.message}
        with state.lock:
            state.requests.append(dict(record, method=method, path=self.path, status=status,
                                       time=time.time()))
        self.reply(status, payload, headers)

    def read_body(self):
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "chunked bodies are not accepted; send Content-Length")
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            raise ApiError(400, "bad Content-Length")
        return self.rfile.read(int(length))

    def reply(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def api(self, method, body):
        state = self.server.state
        if not self.path.startswith(API_PREFIX + "/"):
            raise ApiError(404, "no such path")
        path = self.path[len(API_PREFIX):]
        if path == "/ping" and method == "GET":
            return 200, {"message": "pong"}, {}, {}
        with state.lock:
            fault = state.take_fault(method)
        if fault:
            return self.fault(fault)
        self.check_token()
        with state.lock:
            wait = state.rate_limited()
        if wait is not None:
            return 429, {"message": "Too many requests"}, {"Retry-After": str(wait)}, {}
        match = FEED_PATH.match(path)
        if not match:
            raise ApiError(404, "no such path")
        content_type, name = match.groups()
        if content_type not in CONTENT_TYPES:
            raise ApiError(400, "feed content type must be ip, url or domain")
        if not FEED_NAME.match(name):
            raise ApiError(400, "feed name must be 8..64 characters of [A-Za-z0-9_]")
        return self.feed_operation(method, content_type, name, body)

    def fault(self, fault):
        if fault.get("delay"):
            time.sleep(float(fault["delay"]))
            return 504, {"message": "injected timeout"}, {}, {"fault": "delay"}
        status = int(fault.get("status", 500))
        headers = {}
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        return status, {"message": "injected fault"}, headers, {"fault": status}

    def check_token(self):
        header = self.headers.get("Authorization")
        if header is None:
            raise ApiError(401, "missing Authorization header")
        if not header.startswith("Bearer "):
            raise ApiError(401, "Authorization must be a Bearer token")
        if header[len("Bearer "):] != self.server.state.token:
            raise ApiError(401, "invalid or expired application token")

    def upload(self, body, content_type, with_level):
        if not body:
            raise ApiError(400, "a multipart upload with a `file` part is required")
        fields = parse_multipart(self.headers.get("Content-Type", ""), body)
        if "file" not in fields:
            raise ApiError(400, "form field `file` is missing")
        return parse_csv(fields["file"], content_type, with_level)

    def feed_operation(self, method, content_type, name, body):
        state, key = self.server.state, (content_type, name)
        if method == "GET":
            with state.lock:
                feed = state.feeds.get(key)
                if feed is None:
                    raise ApiError(404, "feed %s does not exist" % name)
                return 200, {"status": "done", "feed_name": name,
                             "feed_content_type": content_type, "servers": len(feed)}, {}, {}
        if method not in ("POST", "PATCH", "DELETE"):
            raise ApiError(405, "method not allowed")
        whole_feed = method == "DELETE" and not body and "Content-Type" not in self.headers
        rows = [] if whole_feed else self.upload(body, content_type, method != "DELETE")
        with state.lock:
            self.apply(method, key, rows, whole_feed)
        record = {"servers": [server for server, _ in rows[:100]], "lines": len(rows)}
        return 202, {"request_id": str(uuid.uuid4())}, {}, record

    def apply(self, method, key, rows, whole_feed):
        feeds, name = self.server.state.feeds, key[1]
        if method == "POST":
            if key in feeds:
                raise ApiError(409, "feed %s already exists" % name)
            if len(feeds) >= MAX_FEEDS:
                raise ApiError(422, "at most %d custom C&C feeds" % MAX_FEEDS)
            feeds[key] = dict(rows)
            return
        if key not in feeds:
            raise ApiError(404, "feed %s does not exist" % name)
        if method == "PATCH":
            feeds[key].update(rows)
        elif whole_feed:
            del feeds[key]
        else:
            for server, _ in rows:  # servers not in the feed are ignored (assumption)
                feeds[key].pop(server, None)

    def test_endpoint(self, method, body):
        state = self.server.state
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.reply(400, {"message": "test endpoints take JSON"})
        with state.lock:
            if self.path == "/_test/state" and method == "GET":
                feeds = {"%s/%s" % key: servers for key, servers in state.feeds.items()}
                return self.reply(200, {"feeds": feeds, "requests": state.requests,
                                        "faults": len(state.faults)})
            if self.path == "/_test/inject" and method == "POST":
                state.faults.append(request)
            elif self.path == "/_test/config" and method == "POST":
                state.token = request.get("token", state.token)
                state.rate_limit = int(request.get("rate_limit", state.rate_limit))
                state.rate_window = float(request.get("rate_window", state.rate_window))
            elif self.path == "/_test/reset" and method == "POST":
                state.reset()
            else:
                return self.reply(404, {"message": "no such test endpoint"})
        return self.reply(200, {"message": "ok"})


def watch_parent(pid):
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.token)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    # Handshakes happen in the handler threads, so one stuck client cannot block accept().
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as out:
            out.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    if args.parent_pid:
        threading.Thread(target=watch_parent, args=(args.parent_pid,), daemon=True).start()
    print("atp contract server ready on https://127.0.0.1:%d%s" % (port, API_PREFIX),
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
