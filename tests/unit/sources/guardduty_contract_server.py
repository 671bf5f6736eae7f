#!/usr/bin/env python3
"""GuardDuty contract server: a local stand-in for the three Amazon GuardDuty API operations the
GuardDuty source calls, written from the API reference and botocore's service model
(guardduty 2017-11-28, protocol rest-json, signing name "guardduty"), for
tests/unit/sources/guardduty_test.cc. Python 3 standard library plus botocore (python3-botocore),
which checks every request's SigV4 signature independently of guardfeed's signer.

API (plain HTTP on 127.0.0.1; every request must carry a valid SigV4 signature for the service
"guardduty", the server's region and its one access key, dated within 15 minutes):
  GET  /detector?maxResults=&nextToken=    ListDetectors -> {"detectorIds": [...], "nextToken"}
  POST /detector/{detectorId}/findings     ListFindings  {"findingCriteria": {"criterion":
       {FIELD: {CONDITION: value}}}, "sortCriteria": {"attributeName", "orderBy": ASC|DESC},
       "maxResults": 1..50, "nextToken"} -> {"findingIds": [...], "nextToken": "..."}
  POST /detector/{detectorId}/findings/get GetFindings   {"findingIds": [<= 50 ids]}
       -> {"findings": [...]} (the findings as loaded, camelCase)
Conditions follow the model's Condition shape: equals/notEquals/eq/neq (lists of strings),
greaterThan/greaterThanOrEqual/lessThan/lessThanOrEqual (Long) and the deprecated gt/gte/lt/lte
(Integer: a value outside 32 bits is refused, as the model's type says). updatedAt compares as
epoch milliseconds ("Timestamp in Unix Epoch millisecond format" in the model's documentation).
Errors are REST-JSON errors: status, X-Amzn-ErrorType and {"__type", "message"}:
BadRequestException 400 (bad input, unknown detector, more than 50 ids), 403
InvalidSignatureException / UnrecognizedClientException / MissingAuthenticationTokenException,
ThrottlingException 400 and InternalServerErrorException 500 (injected).

Test-only endpoints (unsigned, never recorded):
  GET  /_test/state    {"requests": [...], "faults": n, "findings": n}; a request is
                       {"operation", "method", "path", "query", "body", "status", "error"}
  POST /_test/inject   {"status": 400, "code": "ThrottlingException", "count": 2,
                       "operation": "ListFindings"}  the next matching signed requests fail so
  POST /_test/reload   re-read the findings file (the test rewrites it to add findings)
  POST /_test/clear    forget the recorded requests
  POST /_test/config   {"detectors": [...]}

Usage: guardduty_contract_server.py --findings FILE --region R --access-key A --secret-key S
       [--detectors ID,...] [--port 0] [--port-file F] [--parent-pid P]
Findings file: a JSON array of findings (each with "id" and "updatedAt" as ISO-8601). Exits 3
when botocore cannot be imported (the test skips, or fails under CI).
"""

import argparse
import base64
import calendar
import functools
import hashlib
import json
import os
import re
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
try:
    import aws_sigv4_check
except ImportError as error:  # pragma: no cover - reported to the test
    print("botocore is missing (install python3-botocore): %s" % error, file=sys.stderr)
    sys.exit(3)

MAX_IDS = 50
LIST_CONDITIONS = ("eq", "neq", "equals", "notEquals", "matches", "notMatches")
LONG_CONDITIONS = ("greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual")
INTEGER_CONDITIONS = ("gt", "gte", "lt", "lte")  # deprecated, Integer in the model
DETECTOR_PATH = re.compile(r"^/detector/([^/]+)/findings(/get)?$")


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message):
    return ApiError(400, "BadRequestException", message)


@functools.lru_cache(maxsize=None)
def epoch_ms(text):
    """ISO-8601 with optional fraction and Z -> epoch milliseconds."""
    match = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$", text)
    if not match:
        raise ValueError("updatedAt %r is not ISO-8601 UTC" % text)
    seconds = calendar.timegm(time.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S"))
    fraction = (match.group(2) or "0")[:3].ljust(3, "0")
    return seconds * 1000 + int(fraction)


def attribute(finding, name):
    """The value of a dotted attribute name ("service.archived"), or None."""
    value = finding
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def comparable(finding, name):
    if name in ("updatedAt", "createdAt"):
        text = finding.get(name)
        return epoch_ms(text) if isinstance(text, str) else None
    return attribute(finding, name)


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_condition(field, condition):
    if not isinstance(condition, dict) or not condition:
        raise bad_request("criterion %s must be a non-empty Condition object" % field)
    for name, value in condition.items():
        if name in LIST_CONDITIONS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad_request("%s.%s must be a list of strings" % (field, name))
        elif name in LONG_CONDITIONS or name in INTEGER_CONDITIONS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise bad_request("%s.%s must be a number" % (field, name))
            limit = 2 ** 31 if name in INTEGER_CONDITIONS else 2 ** 63
            if not -limit <= value < limit:
                raise bad_request("%s.%s: %d does not fit the model's %s" %
                                  (field, name, value,
                                   "Integer" if name in INTEGER_CONDITIONS else "Long"))
        else:
            raise bad_request("unknown condition %r in criterion %s" % (name, field))


def matches(finding, field, condition):
    value = comparable(finding, field)
    for name, wanted in condition.items():
        if name in ("eq", "equals", "matches"):
            if value is None or as_text(value) not in wanted:
                return False
        elif name in ("neq", "notEquals", "notMatches"):
            if value is not None and as_text(value) in wanted:
                return False
        else:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return False
            if name in ("gt", "greaterThan") and not value > wanted:
                return False
            if name in ("gte", "greaterThanOrEqual") and not value >= wanted:
                return False
            if name in ("lt", "lessThan") and not value < wanted:
                return False
            if name in ("lte", "lessThanOrEqual") and not value <= wanted:
                return False
    return True


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.detectors = [d for d in args.detectors.split(",") if d]
        self.requests = []
        self.faults = []
        self.findings = {}
        self.reload()

    def reload(self):
        with open(self.args.findings) as source:
            loaded = json.load(source)
        findings = {}
        for finding in loaded:
            epoch_ms(finding["updatedAt"])  # a bad file fails the reload, not a later request
            findings[finding["id"]] = finding
        self.findings = findings

    def take_fault(self, operation):
        for fault in self.faults:
            if fault.get("operation") in (None, operation) and fault.get("count", 1) > 0:
                fault["count"] = fault.get("count", 1) - 1
                if fault["count"] == 0:
                    self.faults.remove(fault)
                return fault
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "guardduty-contract/1"
    timeout = 30
    # Headers and body go out in two writes: without TCP_NODELAY each answer on a kept-alive
    # connection waits for the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet: requests are recorded, never printed
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        state = self.server.state
        length = self.headers.get("Content-Length", "0")
        body = self.rfile.read(int(length)) if length.isdigit() else b""
        if self.path.startswith("/_test/"):
            return self.test_endpoint(method, body)
        url = urlsplit(self.path)
        record = {"method": method, "path": url.path, "query": dict(parse_qsl(url.query)),
                  "operation": None, "body": None, "error": None}
        try:
            record["body"] = json.loads(body) if body else None
        except ValueError:
            pass
        try:
            record["operation"] = operation = self.operation(method, url.path)
            self.verify_signature(method, body)
            with state.lock:
                fault = state.take_fault(operation)
            if fault:
                raise ApiError(int(fault.get("status", 500)),
                               fault.get("code", "InternalServerErrorException"),
                               "injected fault")
            status, payload = self.api(operation, url, record["body"], body)
        except ApiError as error:
            status, payload = error.status, {"__type": error.code, "message": error.message}
            record["error"] = error.code
        except Exception as error:  # a bug here: answered and logged, never a dropped connection
            traceback.print_exc()
            status = 500
            payload = {"__type": "InternalServerErrorException",
                       "message": "contract server error: %r" % error}
            record["error"] = "contract server error"
        record["status"] = status
        with state.lock:
            state.requests.append(record)
        headers = {}
        if status >= 300:
            headers["X-Amzn-ErrorType"] = payload["__type"]
        self.reply(status, payload, headers)

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
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    @staticmethod
    def operation(method, path):
        if path == "/detector" and method == "GET":
            return "ListDetectors"
        match = DETECTOR_PATH.match(path)
        if match and method == "POST":
            return "GetFindings" if match.group(2) else "ListFindings"
        raise ApiError(404, "UnknownOperationException", "no operation %s %s" % (method, path))

    # tests/common/aws_sigv4_check.py's kinds as GuardDuty answers them.
    REJECTIONS = {"missing": (403, "MissingAuthenticationTokenException"),
                  "malformed": (403, "IncompleteSignatureException"),
                  "unknown_key": (403, "UnrecognizedClientException"),
                  "date": (403, "IncompleteSignatureException"),
                  "body_hash": (400, "BadRequestException")}

    def verify_signature(self, method, body):
        """Recomputes the signature with botocore from what arrived; 403 on any difference."""
        args = self.server.state.args
        try:
            aws_sigv4_check.check(method, self.path, self.headers, body, "guardduty", args.region,
                                  args.access_key, args.secret_key)
        except aws_sigv4_check.Rejected as rejected:
            status, code = self.REJECTIONS.get(rejected.kind, (403, "InvalidSignatureException"))
            raise ApiError(status, code, rejected.message)

    def api(self, operation, url, document, raw):
        state = self.server.state
        if operation == "ListDetectors":
            return 200, self.list_detectors(dict(parse_qsl(url.query)))
        detector = DETECTOR_PATH.match(url.path).group(1)
        with state.lock:
            if detector not in state.detectors:
                raise bad_request("The request is rejected because the input detectorId is not "
                                  "owned by the current account.")
        if raw and not isinstance(document, dict):
            raise ApiError(400, "SerializationException", "the body is not a JSON object")
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise bad_request("Content-Type must be application/json")
        document = document or {}
        if operation == "ListFindings":
            return 200, self.list_findings(document)
        return 200, self.get_findings(document)

    def list_detectors(self, query):
        unknown = set(query) - {"maxResults", "nextToken"}
        if unknown:
            raise bad_request("unknown query parameters %s" % sorted(unknown))
        size = int(query.get("maxResults", "50"))
        if not 1 <= size <= 50:
            raise bad_request("maxResults must be 1..50")
        offset = int(query.get("nextToken") or "0")
        with self.server.state.lock:
            detectors = list(self.server.state.detectors)
        answer = {"detectorIds": detectors[offset:offset + size]}
        if offset + size < len(detectors):
            answer["nextToken"] = str(offset + size)
        return answer

    def list_findings(self, document):
        unknown = set(document) - {"findingCriteria", "sortCriteria", "maxResults", "nextToken"}
        if unknown:
            raise bad_request("unknown members %s" % sorted(unknown))
        criteria = document.get("findingCriteria", {})
        if not isinstance(criteria, dict) or set(criteria) - {"criterion"}:
            raise bad_request("findingCriteria must be {\"criterion\": {...}}")
        criterion = criteria.get("criterion", {})
        if not isinstance(criterion, dict):
            raise bad_request("findingCriteria.criterion must be an object")
        for field, condition in criterion.items():
            check_condition(field, condition)
        sort = document.get("sortCriteria")
        if sort is not None:
            if not isinstance(sort, dict) or set(sort) - {"attributeName", "orderBy"} or \
                    sort.get("orderBy", "ASC") not in ("ASC", "DESC"):
                raise bad_request("sortCriteria must be {attributeName, orderBy: ASC|DESC}")
        size = document.get("maxResults", 50)
        if not isinstance(size, int) or not 1 <= size <= 50:
            raise bad_request("maxResults must be 1..50")
        # The token binds the query it came from and an offset into its ordered results.
        query = hashlib.sha256(json.dumps([criterion, sort], sort_keys=True).encode()).hexdigest()
        offset = 0
        token = document.get("nextToken")
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                offset = int(decoded["offset"])
            except (ValueError, KeyError, TypeError):
                raise bad_request("nextToken is not one this service issued")
            if decoded.get("query") != query:
                raise bad_request("nextToken belongs to another query")
        with self.server.state.lock:
            findings = [f for f in self.server.state.findings.values()
                        if all(matches(f, k, c) for k, c in criterion.items())]
        if sort is not None:
            name = sort.get("attributeName", "updatedAt")
            findings.sort(key=lambda f: (comparable(f, name) is None, comparable(f, name) or 0,
                                         f["id"]),
                          reverse=sort.get("orderBy", "ASC") == "DESC")
        else:
            findings.sort(key=lambda f: f["id"])
        page = findings[offset:offset + size]
        answer = {"findingIds": [f["id"] for f in page]}
        if offset + size < len(findings):
            answer["nextToken"] = base64.urlsafe_b64encode(json.dumps(
                {"offset": offset + size, "query": query}).encode()).decode()
        return answer

    def get_findings(self, document):
        unknown = set(document) - {"findingIds", "sortCriteria"}
        if unknown:
            raise bad_request("unknown members %s" % sorted(unknown))
        ids = document.get("findingIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise bad_request("findingIds must be a list of strings")
        if len(ids) > MAX_IDS:
            raise bad_request("findingIds: at most %d ids, got %d" % (MAX_IDS, len(ids)))
        with self.server.state.lock:
            found = [self.server.state.findings[i] for i in ids if i in self.server.state.findings]
        return {"findings": found}

    def test_endpoint(self, method, body):
        state = self.server.state
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.reply(400, {"message": "test endpoints take JSON"})
        with state.lock:
            if self.path == "/_test/state" and method == "GET":
                return self.reply(200, {"requests": state.requests, "faults": len(state.faults),
                                        "findings": len(state.findings)})
            if self.path == "/_test/inject" and method == "POST":
                state.faults.append(request)
            elif self.path == "/_test/reload" and method == "POST":
                try:
                    state.reload()
                except (OSError, ValueError, KeyError) as error:
                    return self.reply(400, {"message": "reload: %s" % error})
            elif self.path == "/_test/clear" and method == "POST":
                state.requests = []
            elif self.path == "/_test/config" and method == "POST":
                state.detectors = list(request.get("detectors", state.detectors))
            else:
                return self.reply(404, {"message": "no such test endpoint"})
        return self.reply(200, {"message": "ok"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--detectors", default="12abc34d567e8fa901bc2d34e56789f0")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as out:
            out.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    if args.parent_pid:
        threading.Thread(target=aws_sigv4_check.watch_parent, args=(args.parent_pid,), daemon=True).start()
    print("guardduty contract server ready on http://127.0.0.1:%d" % port, file=sys.stderr,
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
