#!/usr/bin/env python3
"""SQS contract server: a local HTTPS stand-in for Amazon SQS's AWS JSON protocol, written from
the public API reference and botocore's service model (sqs 2012-11-05, protocol "json",
targetPrefix "AmazonSQS") for guardfeed's SQS source tests. Python 3 standard library and
botocore, which verifies every request's SigV4 signature independently of guardfeed's signer.

One standard queue with a redrive policy and its dead-letter queue, in memory:
  https://127.0.0.1:PORT/111122223333/NAME and .../NAME-dlq
Semantics as documented: a received message stays invisible for its visibility timeout (the
request's VisibilityTimeout, else the queue's 30 s) and then reappears; each receipt has a new
receipt handle; a message received maxReceiveCount times moves to the dead-letter queue when it
would be received once more; DeleteMessage with a receipt handle that is not the latest succeeds
but deletes nothing; WaitTimeSeconds holds a ReceiveMessage until a message is visible or the
wait is over.

API (every request: POST /, Content-Type application/x-amz-json-1.0, X-Amz-Target
AmazonSQS.<Action>, a JSON object body, a valid SigV4 signature for service "sqs" in the server's
region, signed over at least host and x-amz-date, X-Amz-Date within 15 minutes):
  ReceiveMessage               {QueueUrl, MaxNumberOfMessages 1-10, WaitTimeSeconds 0-20,
                                VisibilityTimeout 0-43200, MessageSystemAttributeNames,
                                AttributeNames, MessageAttributeNames, ReceiveRequestAttemptId}
                               -> {"Messages": [{MessageId, ReceiptHandle, MD5OfBody, Body,
                                  Attributes}]} or {} when none
  DeleteMessageBatch           {QueueUrl, Entries: [{Id, ReceiptHandle}] 1-10}
  ChangeMessageVisibilityBatch {QueueUrl, Entries: [{Id, ReceiptHandle, VisibilityTimeout}] 1-10}
                               -> {"Successful": [{Id}], "Failed": [{Id, SenderFault, Code,
                                  Message}]}
Errors: the documented JSON error shape, status 400 (403 for authentication) with
x-amzn-query-error "<query code>;Sender" and {"__type": "com.amazonaws.sqs#Code", "message"}.
Assumptions where the documentation says nothing: members not in the API reference are refused
(400 InvalidParameterValue), as are a wrong Content-Type (400) and a path other than "/" (404);
authentication failures use the query-protocol codes SQS documents (SignatureDoesNotMatch,
InvalidClientTokenId, MissingAuthenticationToken, IncompleteSignature).

Test-only endpoints (no signature, not recorded):
  GET  /ping
  POST /_test/send    {"bodies": ["..."], "queue": "NAME"}  -> {"MessageIds": [...]}
  GET  /_test/state   {"queue_url", "queues": {name: [{"id", "body", "receive_count",
                       "in_flight"}]}, "deleted": [{"id", "receive_count", "late"}],
                       "stale_deletes": n, "requests": [{"action", "status", "code", "body",
                       "signed_headers", "received", "failed"}], "faults": n}
                       ("late": deleted after its visibility timeout had run out)
  POST /_test/inject  {"action": "ReceiveMessage", "count": 1, and one of
                       "status": 5xx (answer InternalError, change nothing) |
                       "fail_entries": n (batch calls: the first n entries fail with
                                          InternalError, SenderFault false) |
                       "corrupt_md5": "MESSAGE_ID" or "*" (ReceiveMessage: a wrong MD5OfBody)}
  POST /_test/config  {"secret_key", "max_receive_count"}

Usage: sqs_contract_server.py --cert C --key K --access-key A --secret-key S [--region R]
       [--queue NAME] [--max-receive-count N] [--port 0] [--port-file F] [--parent-pid P]
"""

import argparse
import base64
import hashlib
import json
import os
import re
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
import aws_sigv4_check  # noqa: E402

ACCOUNT = "111122223333"
CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "AmazonSQS."
DEFAULT_VISIBILITY = 30
MAX_VISIBILITY = 43200
ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
RECEIVE_MEMBERS = {"QueueUrl", "AttributeNames", "MessageSystemAttributeNames",
                   "MessageAttributeNames", "MaxNumberOfMessages", "VisibilityTimeout",
                   "WaitTimeSeconds", "ReceiveRequestAttemptId"}
SYSTEM_ATTRIBUTES = {"All", "SenderId", "SentTimestamp", "ApproximateReceiveCount",
                     "ApproximateFirstReceiveTimestamp", "SequenceNumber",
                     "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
                     "DeadLetterQueueSourceArn"}
# Query-protocol codes for x-amzn-query-error, where they differ from the JSON one.
QUERY_CODES = {"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
               "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
               "TooManyEntriesInBatchRequest":
                   "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
               "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
               "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
               "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight"}


class SqsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message):
    return SqsError(400, "InvalidParameterValue", message)


class Message:
    def __init__(self, body):
        self.id = str(uuid.uuid4())
        self.body = body
        self.md5 = hashlib.md5(body.encode("utf-8")).hexdigest()
        self.sent = time.time()
        self.receive_count = 0
        self.first_receive = None
        self.visible_at = 0.0  # time.monotonic()
        self.handle = None  # the latest receipt handle
        self.deleted = False


class Queue:
    def __init__(self, name, dlq=None, max_receive_count=None):
        self.name = name
        self.messages = []  # in the order sent
        self.dlq = dlq
        self.max_receive_count = max_receive_count


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.access_key = args.access_key
        self.secret_key = args.secret_key
        self.region = args.region
        dlq = Queue(args.queue + "-dlq")
        self.main = Queue(args.queue, dlq, args.max_receive_count)
        self.queues = {q.name: q for q in (self.main, dlq)}
        self.handles = {}  # receipt handle -> (queue, message)
        self.deleted = []
        self.stale_deletes = 0
        self.requests = []
        self.faults = []
        self.base_url = None

    def take_fault(self, action):
        for fault in self.faults:
            if fault.get("action") in (None, action):
                fault["count"] = fault.get("count", 1) - 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def queue(self, request):
        url = request.get("QueueUrl")
        if not isinstance(url, str):
            raise invalid("QueueUrl is required and must be a string")
        match = re.match(r"^https?://[^/]+/(\d{12})/([^/?#]+)$", url)
        if not match or match.group(1) != ACCOUNT or match.group(2) not in self.queues:
            raise SqsError(400, "QueueDoesNotExist", "The specified queue does not exist.")
        return self.queues[match.group(2)]

    def receive(self, queue, count, visibility, attributes, corrupt):
        """Messages now visible (moving those past maxReceiveCount to the DLQ); under lock."""
        now, taken = time.monotonic(), []
        for message in list(queue.messages):
            if len(taken) == count:
                break
            if message.visible_at > now:
                continue
            if queue.dlq is not None and message.receive_count >= queue.max_receive_count:
                queue.messages.remove(message)
                message.visible_at, message.handle = 0.0, None
                queue.dlq.messages.append(message)
                continue
            message.receive_count += 1
            if message.first_receive is None:
                message.first_receive = now
            message.handle = base64.b64encode(os.urandom(24) + message.id.encode()).decode()
            self.handles[message.handle] = (queue, message)
            message.visible_at = now + visibility
            taken.append(self.describe(message, attributes, corrupt))
        return taken

    @staticmethod
    def describe(message, attributes, corrupt):
        md5 = message.md5
        if corrupt in ("*", message.id):
            md5 = hashlib.md5(b"not the body").hexdigest()
        item = {"MessageId": message.id, "ReceiptHandle": message.handle, "MD5OfBody": md5,
                "Body": message.body}
        values = {"ApproximateReceiveCount": str(message.receive_count),
                  "SentTimestamp": str(int(message.sent * 1000))}
        wanted = values.keys() if "All" in attributes else attributes & values.keys()
        if wanted:
            item["Attributes"] = {name: values[name] for name in sorted(wanted)}
        return item

    def held(self, handle):
        """(queue, message, latest) for a receipt handle; raises for an unknown one."""
        found = self.handles.get(handle)
        if found is None:
            raise SqsError(400, "ReceiptHandleIsInvalid",
                           "The input receipt handle \"%s\" is not a valid receipt handle."
                           % handle[:40])
        queue, message = found
        return queue, message, message.handle == handle


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sqs-contract/1"
    timeout = 60

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def dispatch(self):
        state = self.server.state
        try:
            body = self.read_body()
        except SqsError as error:
            return self.error_reply(error)
        if self.path == "/ping" or self.path.startswith("/_test/"):
            return self.test_endpoint(body)
        record = {"action": None, "signed_headers": None, "body": None, "code": None}
        failure = None
        try:
            payload = self.api(body, record)
            record.update(received=len(payload.get("Messages", [])),
                          failed=len(payload.get("Failed", [])))
        except SqsError as error:
            failure = error
            record.update(code=error.code, message=error.message)
        with state.lock:
            state.requests.append(dict(record, status=failure.status if failure else 200,
                                       time=time.time()))
        if failure:
            return self.error_reply(failure)
        self.reply(200, payload)

    def read_body(self):
        if self.headers.get("Transfer-Encoding"):
            raise SqsError(411, "MissingContentLength", "send Content-Length, not chunks")
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            raise invalid("bad Content-Length")
        return self.rfile.read(int(length))

    def reply(self, status, payload, headers=None, content_type=CONTENT_TYPE):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def error_reply(self, error):
        namespace = "com.amazon.coral.service" if error.status == 403 else "com.amazonaws.sqs"
        sender = "Sender" if error.status < 500 else "Receiver"
        query = "%s;%s" % (QUERY_CODES.get(error.code, error.code), sender)
        self.reply(error.status, {"__type": "%s#%s" % (namespace, error.code),
                                  "message": error.message}, {"x-amzn-query-error": query})

    # The API.

    def api(self, body, record):
        if self.command != "POST" or self.path != "/":
            raise SqsError(404, "UnknownOperationException", "SQS's JSON protocol is POST /")
        record["signed_headers"] = self.verify_signature(body)
        target = self.headers.get("X-Amz-Target", "")
        action = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
        record["action"] = action or target
        operations = {"ReceiveMessage": self.receive_message,
                      "DeleteMessageBatch": self.delete_message_batch,
                      "ChangeMessageVisibilityBatch": self.change_visibility_batch}
        if action not in operations:
            raise SqsError(400, "UnknownOperationException",
                           "X-Amz-Target %r is not an SQS operation this server knows" % target)
        if self.headers.get("Content-Type") != CONTENT_TYPE:
            raise SqsError(400, "SerializationException",
                           "Content-Type must be %s, got %r"
                           % (CONTENT_TYPE, self.headers.get("Content-Type")))
        try:
            request = json.loads(body)
        except ValueError:
            raise SqsError(400, "SerializationException", "the body is not JSON")
        if not isinstance(request, dict):
            raise SqsError(400, "SerializationException", "the body is not a JSON object")
        record["body"] = request
        with self.server.state.lock:
            fault = self.server.state.take_fault(action)
        if fault and fault.get("status"):
            raise SqsError(int(fault["status"]), "InternalError", "injected fault")
        return operations[action](request, fault or {})

    # tests/common/aws_sigv4_check.py's kinds as SQS answers them.
    REJECTIONS = {"missing": (403, "MissingAuthenticationToken"),
                  "malformed": (403, "IncompleteSignature"),
                  "unknown_key": (403, "InvalidClientTokenId"),
                  "date": (403, "IncompleteSignature"),
                  "body_hash": (400, "XAmzContentSHA256Mismatch")}

    def verify_signature(self, body):
        """Checks the request's SigV4 signature with botocore; returns the signed header names."""
        state = self.server.state
        try:
            return aws_sigv4_check.check(self.command, self.path, self.headers, body, "sqs",
                                         state.region, state.access_key, state.secret_key)
        except aws_sigv4_check.Rejected as rejected:
            status, code = self.REJECTIONS.get(rejected.kind, (403, "SignatureDoesNotMatch"))
            raise SqsError(status, code, rejected.message)

    @staticmethod
    def integer(request, name, low, high, default):
        value = request.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise invalid("%s must be an integer %d-%d, got %r" % (name, low, high, value))
        return value

    def receive_message(self, request, fault):
        state = self.server.state
        unknown = set(request) - RECEIVE_MEMBERS
        if unknown:
            raise invalid("ReceiveMessage has no member(s) %s" % sorted(unknown))
        count = self.integer(request, "MaxNumberOfMessages", 1, 10, 1)
        wait = self.integer(request, "WaitTimeSeconds", 0, 20, 0)
        attributes = set()
        for name in ("MessageSystemAttributeNames", "AttributeNames"):
            names = request.get(name, [])
            if not isinstance(names, list) or not set(names) <= SYSTEM_ATTRIBUTES:
                raise invalid("%s must list attribute names, got %r" % (name, names))
            attributes |= set(names)
        with state.lock:
            queue = state.queue(request)
        visibility = self.integer(request, "VisibilityTimeout", 0, MAX_VISIBILITY,
                                  DEFAULT_VISIBILITY)
        deadline = time.monotonic() + wait
        with state.changed:
            while True:
                taken = state.receive(queue, count, visibility, attributes,
                                      fault.get("corrupt_md5"))
                left = deadline - time.monotonic()
                if taken or left <= 0:
                    break
                state.changed.wait(min(left, 0.05))  # also notices visibility running out
        return {"Messages": taken} if taken else {}

    def batch_entries(self, request, members):
        unknown = set(request) - {"QueueUrl", "Entries"}
        if unknown:
            raise invalid("unknown member(s) %s" % sorted(unknown))
        entries = request.get("Entries")
        if not isinstance(entries, list) or not entries:
            raise SqsError(400, "EmptyBatchRequest", "There should be at least one entry")
        if len(entries) > 10:
            raise SqsError(400, "TooManyEntriesInBatchRequest",
                           "Maximum number of entries per request are 10. You have sent %d."
                           % len(entries))
        ids = []
        for entry in entries:
            if not isinstance(entry, dict) or set(entry) - members or \
                    not isinstance(entry.get("ReceiptHandle"), str):
                raise invalid("entry %r must hold %s" % (entry, sorted(members)))
            if not isinstance(entry.get("Id"), str) or not ENTRY_ID.match(entry["Id"]):
                raise SqsError(400, "InvalidBatchEntryId",
                               "A batch entry id can only contain alphanumeric characters, "
                               "hyphens and underscores. It can be at most 80 letters long.")
            ids.append(entry["Id"])
            if "VisibilityTimeout" in members:
                self.integer(entry, "VisibilityTimeout", 0, MAX_VISIBILITY, None)
        if len(set(ids)) != len(ids):
            raise SqsError(400, "BatchEntryIdsNotDistinct", "Id %r repeated" % ids)
        return entries

    @staticmethod
    def failed(entry, code, message, sender=True):
        return {"Id": entry["Id"], "SenderFault": sender, "Code": code, "Message": message}

    def delete_message_batch(self, request, fault):
        state = self.server.state
        entries = self.batch_entries(request, {"Id", "ReceiptHandle"})
        successful, failed = [], []
        with state.lock:
            queue = state.queue(request)
            for number, entry in enumerate(entries):
                if number < fault.get("fail_entries", 0):
                    failed.append(self.failed(entry, "InternalError", "injected", False))
                    continue
                try:
                    owner, message, latest = state.held(entry["ReceiptHandle"])
                except SqsError as error:
                    failed.append(self.failed(entry, error.code, error.message))
                    continue
                if owner is not queue or (message not in queue.messages and not message.deleted):
                    failed.append(self.failed(entry, "ReceiptHandleIsInvalid",
                                              "the message is not in this queue (moved to the "
                                              "dead-letter queue?)"))
                    continue
                if not latest:
                    state.stale_deletes += 1  # documented: succeeds, deletes nothing
                elif not message.deleted:
                    queue.messages.remove(message)
                    message.deleted = True
                    state.deleted.append({"id": message.id, "receive_count": message.receive_count,
                                          "late": message.visible_at <= time.monotonic()})
                successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed}

    def change_visibility_batch(self, request, fault):
        state = self.server.state
        entries = self.batch_entries(request, {"Id", "ReceiptHandle", "VisibilityTimeout"})
        successful, failed = [], []
        with state.lock:
            queue = state.queue(request)
            now = time.monotonic()
            for number, entry in enumerate(entries):
                timeout = entry["VisibilityTimeout"]
                if number < fault.get("fail_entries", 0):
                    failed.append(self.failed(entry, "InternalError", "injected", False))
                    continue
                try:
                    owner, message, latest = state.held(entry["ReceiptHandle"])
                except SqsError as error:
                    failed.append(self.failed(entry, error.code, error.message))
                    continue
                if owner is not queue or message not in queue.messages or not latest or \
                        message.visible_at <= now:
                    failed.append(self.failed(entry, "MessageNotInflight",
                                              "Message does not exist or is not available "
                                              "for visibility timeout change."))
                    continue
                if now + timeout - message.first_receive > MAX_VISIBILITY:
                    failed.append(self.failed(entry, "InvalidParameterValue",
                                              "past 12 hours since the first receipt"))
                    continue
                message.visible_at = now + timeout
                successful.append({"Id": entry["Id"]})
            state.changed.notify_all()
        return {"Successful": successful, "Failed": failed}

    # Test endpoints.

    def test_endpoint(self, body):
        state = self.server.state
        if self.path == "/ping":
            return self.reply(200, {"message": "pong"}, content_type="application/json")
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.reply(400, {"message": "test endpoints take JSON"})
        with state.changed:
            if self.path == "/_test/state" and self.command == "GET":
                payload = self.snapshot()
            elif self.path == "/_test/send" and self.command == "POST":
                queue = state.queues[request.get("queue", state.main.name)]
                messages = [Message(body) for body in request["bodies"]]
                queue.messages.extend(messages)
                state.changed.notify_all()
                payload = {"MessageIds": [message.id for message in messages]}
            elif self.path == "/_test/inject" and self.command == "POST":
                state.faults.append(request)
                payload = {"message": "ok"}
            elif self.path == "/_test/config" and self.command == "POST":
                state.secret_key = request.get("secret_key", state.secret_key)
                state.main.max_receive_count = request.get("max_receive_count",
                                                           state.main.max_receive_count)
                payload = {"message": "ok"}
            else:
                return self.reply(404, {"message": "no such test endpoint"})
        self.reply(200, payload, content_type="application/json")

    def snapshot(self):
        state, now = self.server.state, time.monotonic()
        queues = {name: [{"id": m.id, "body": m.body, "receive_count": m.receive_count,
                          "in_flight": m.visible_at > now} for m in queue.messages]
                  for name, queue in state.queues.items()}
        return {"queue_url": "%s/%s/%s" % (state.base_url, ACCOUNT, state.main.name),
                "queues": queues, "deleted": state.deleted, "stale_deletes": state.stale_deletes,
                "requests": state.requests, "faults": len(state.faults)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--queue", default="guardfeed-findings")
    parser.add_argument("--max-receive-count", type=int, default=3)
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    port = server.server_address[1]
    server.state.base_url = "https://127.0.0.1:%d" % port
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as out:
            out.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    if args.parent_pid:
        threading.Thread(target=aws_sigv4_check.watch_parent, args=(args.parent_pid,), daemon=True).start()
    print("sqs contract server ready on %s" % server.state.base_url, file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
