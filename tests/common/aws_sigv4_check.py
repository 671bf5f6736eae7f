"""What the AWS contract servers of guardfeed's tests share (tests/unit/sources/*_contract_server.py):
an independent check of a request's SigV4 signature, recomputed with botocore's signer from what
arrived, and the watch that ends a server when the test process that started it is gone.
Python 3 standard library plus python3-botocore.
"""

import calendar
import hashlib
import hmac
import os
import re
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$")
MAX_SKEW_SECONDS = 15 * 60


class Rejected(Exception):
    """Why a request's signature was refused. `kind` is one of: missing (no Authorization header),
    malformed (not a SigV4 header), unknown_key, scope (region or service), date (X-Amz-Date missing,
    malformed or not the credential's day), expired (more than 15 minutes off), signed_headers,
    body_hash (X-Amz-Content-Sha256 is not the body's), mismatch (the signature itself). Each server
    maps kinds to its service's error codes."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def check(method, path, headers, body, service, region, access_key, secret_key):
    """Checks a request (`headers`: the handler's http.client.HTTPMessage) signed for `service` in
    `region` with the given keys; returns the signed header names or raises Rejected."""
    header = headers.get("Authorization")
    if header is None:
        raise Rejected("missing", "Request is missing Authentication Token")
    match = AUTHORIZATION.match(header)
    if not match:
        raise Rejected("malformed", "Authorization header is not AWS4-HMAC-SHA256 "
                       "Credential=..., SignedHeaders=..., Signature=...")
    key, day, scope_region, scope_service, signed, signature = match.groups()
    if key != access_key:
        raise Rejected("unknown_key", "The security token included in the request is invalid.")
    if scope_service != service or scope_region != region:
        raise Rejected("scope", "Credential should be scoped to region %r and service %r, not "
                       "%r/%r" % (region, service, scope_region, scope_service))
    amz_date = headers.get("X-Amz-Date", "")
    try:
        signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise Rejected("date", "X-Amz-Date %r is missing or malformed" % amz_date)
    if amz_date[:8] != day:
        raise Rejected("date", "X-Amz-Date %r is not the credential's day" % amz_date)
    if abs(time.time() - signed_at) > MAX_SKEW_SECONDS:
        raise Rejected("expired", "Signature expired: %s is not within 15 minutes of now" % amz_date)
    names = signed.split(";")
    if names != sorted(set(names)) or "host" not in names or "x-amz-date" not in names:
        raise Rejected("signed_headers", "SignedHeaders %r must be sorted, distinct and include "
                       "host and x-amz-date" % signed)
    signed_headers = {}
    for name in names:
        values = headers.get_all(name)
        if not values:
            raise Rejected("signed_headers", "signed header %r is not in the request" % name)
        signed_headers[name] = ",".join(values)
    declared = headers.get("X-Amz-Content-Sha256")
    if declared is not None and declared != hashlib.sha256(body).hexdigest():
        raise Rejected("body_hash", "X-Amz-Content-Sha256 is not the SHA-256 of the body")
    request = AWSRequest(method=method, url="https://%s%s" % (signed_headers["host"], path),
                         data=body, headers=signed_headers)
    # SigV4Auth.add_auth's computation, with the request's own timestamp instead of now.
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, secret_key), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise Rejected("mismatch", "The request signature we calculated does not match the "
                       "signature you provided. Check your AWS Secret Access Key and signing "
                       "method.")
    return names


def watch_parent(pid):
    """Exits the process once `pid` is gone (run on a daemon thread)."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.5)
