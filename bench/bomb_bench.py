#!/usr/bin/env python3
"""bomb_bench.py: the decompression-bomb trial of issue 7 item 5, measured.

Starts `guardfeed serve` on the built-in defaults (a fresh store in a temp dir, ingest token set),
then POSTs N gzip bombs in parallel (default 4; each ~1.2 MB of gzip that inflates to 1,200 MiB,
labelled Content-Type: application/gzip, and one more labelled Content-Encoding: gzip with a
.gz inside) while sampling the daemon's RSS every 20 ms, and times single normal findings posted
every 0.2 s during the bombs. Sizes are MiB. Prints peak RSS, each bomb's status and time, and the normal
ingest latencies (max and median), as Markdown for docs/performance.md.

Usage: bench/bomb_bench.py [BUILD_DIR] [--bombs N] [--inflated-mb MB] [--content blank|finding]
"""
import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
import zlib

TOKEN = "bench-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bomb(inflated_bytes, line=b"\n"):
    """gzip of `inflated_bytes` of `line` repeated, built block by block."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + 15)
    block = line * max(1, (1 << 20) // len(line))
    out = []
    for _ in range(inflated_bytes // len(block)):
        out.append(z.compress(block))
    out.append(z.flush())
    return b"".join(out)


def finding(i):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    ip = "45.%d.%d.%d" % (200 + i // 65536 % 50, i // 256 % 256, i % 256)
    return json.dumps({
        "version": "0", "id": "bench-%d" % i, "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty", "account": "111122223333", "region": "us-east-1",
        "detail": {
            "schemaVersion": "2.0", "accountId": "111122223333", "region": "us-east-1",
            "id": "bomb-bench-%d" % i, "type": "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
            "severity": 8, "createdAt": now, "updatedAt": now,
            "service": {"action": {"actionType": "NETWORK_CONNECTION",
                                   "networkConnectionAction": {
                                       "connectionDirection": "INBOUND",
                                       "remoteIpDetails": {"ipAddressV4": ip}}},
                        "eventFirstSeen": now, "eventLastSeen": now, "count": 1}}}).encode()


def post(url, body, headers, timeout=120):
    request = urllib.request.Request(url + "/v1/findings", data=body, method="POST")
    request.add_header("Authorization", "Bearer " + TOKEN)
    for name, value in headers.items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception as error:  # connection reset and the like
        status = str(error)
    return status, time.monotonic() - started


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--bombs", type=int, default=4)
    parser.add_argument("--inflated-mb", type=int, default=1200)
    parser.add_argument("--content", choices=["blank", "finding"], default="blank",
                        help="what the bomb inflates to: blank lines, or one valid finding repeated")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.path.join(root, args.build, "src/cli/guardfeed")
    work = tempfile.mkdtemp(prefix="guardfeed-bomb-bench.")
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    env = dict(os.environ, GUARDFEED_INGEST_TOKEN=TOKEN,
               GUARDFEED_STORE="sqlite://%s/guardfeed.db" % work,
               GUARDFEED_PUBLISH_DIR="%s/public" % work)
    daemon = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port], cwd=work,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        line = finding(10**6) + b"\n" if args.content == "finding" else b"\n"
        payload = bomb(args.inflated_mb << 20, line)
        nested = gzip.compress(payload, 1)
        print("bomb: %.2f MB of gzip inflating to %d MiB; nested variant %.2f MB" %
              (len(payload) / 1e6, args.inflated_mb, len(nested) / 1e6))
        idle_rss = rss_kb(daemon.pid)
        peak = [idle_rss]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kb(daemon.pid))
                time.sleep(0.02)

        results = []

        def send(i):
            if i % 2:
                results.append(("Content-Encoding: gzip + .gz",
                                *post(url, nested, {"Content-Type": "application/gzip",
                                                    "Content-Encoding": "gzip"})))
            else:
                results.append(("application/gzip",
                                 *post(url, payload, {"Content-Type": "application/gzip"})))

        sampler = threading.Thread(target=sample)
        sampler.start()
        bombs = [threading.Thread(target=send, args=(i,)) for i in range(args.bombs)]
        for thread in bombs:
            thread.start()
        normal = []
        i = 0
        while any(thread.is_alive() for thread in bombs) or i < 3:
            status, seconds = post(url, finding(i), {"Content-Type": "application/json"})
            normal.append((status, seconds))
            i += 1
            time.sleep(0.2)
        for thread in bombs:
            thread.join()
        stop.set()
        sampler.join()
        print()
        print("| measure | value |")
        print("|---|---|")
        print("| daemon RSS before | %.0f MiB |" % (idle_rss / 1024))
        print("| daemon RSS peak during %d parallel bombs | %.0f MiB |" % (args.bombs, peak[0] / 1024))
        for label, status, seconds in results:
            print("| bomb (%s) | HTTP %s after %.2f s |" % (label, status, seconds))
        latencies = [seconds for status, seconds in normal if status == 200]
        print("| normal single-finding ingests during the bombs | %d of %d answered 200 |" %
              (len(latencies), len(normal)))
        if latencies:
            print("| their latency: median / max | %.0f ms / %.0f ms |" %
                  (statistics.median(latencies) * 1000, max(latencies) * 1000))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
