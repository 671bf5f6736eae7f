#!/usr/bin/env python3
"""incremental_bench.py: one new finding at N active indicators -> the new bytes served.

Fills a store with N active indicators (IPv4, IPv6 and domains, by `guardfeed ingest`), starts
`guardfeed serve` with every feed of config/guardfeed.example.toml, then posts one new
high-severity finding at a time (a fresh attacker IPv4 address) and measures, from the 2xx of
the POST, how long until every feed that carries IPv4 serves a body listing it (polled with
If-None-Match, so an unchanged feed costs a 304). Also reports the daemon's RSS per active
indicator once it has rendered everything.

The store is a fresh SQLite file, or with --store an (empty) PostgreSQL database. With
--replica, a second daemon runs on the same store: findings go to the first, feeds are polled
on the second (change-to-served latency on a replica other than the one that took the finding;
PostgreSQL replicas learn of changes by LISTEN/NOTIFY, docs/replicas.md).

Usage: bench/incremental_bench.py [--build build-bench] [--indicators 1000000] [--probes 100]
                                  [--store postgresql://...] [--replica]
Prints a Markdown summary (for docs/performance.md).
"""

import argparse
import gzip
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TOKEN = "bench-token-0123456789"
# The IPv4 feeds of the example configuration, by path: the probe must appear in each.
IPV4_FEEDS = ["fortigate_ip", "paloalto_edl", "gd_ip_feed", "checkpoint_ioc", "all_indicators"]
T_EVENT = "2026-11-28T12:00:00.000Z"


def finding(finding_id, severity, action, seen=T_EVENT):
    return ('{"schemaVersion":"2.0","accountId":"444455556666","region":"us-east-2",'
            '"id":"%s","type":"UnauthorizedAccess:EC2/SSHBruteForce","severity":%s,'
            '"service":{"action":%s,"eventFirstSeen":"%s","eventLastSeen":"%s",'
            '"archived":false,"count":1},"createdAt":"%s","updatedAt":"%s"}\n' %
            (finding_id, severity, action, seen, seen, seen, seen))


def ipv4_action(ip):
    return ('{"actionType":"NETWORK_CONNECTION","networkConnectionAction":'
            '{"connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV4":"%s"}}}' % ip)


def ipv6_action(ip):
    return ('{"actionType":"NETWORK_CONNECTION","networkConnectionAction":'
            '{"connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV6":"%s"}}}' % ip)


def dns_action(domain):
    return '{"actionType":"DNS_REQUEST","dnsRequestAction":{"domain":"%s"}}' % domain


def ipv4_of(i):
    # 45.0.0.0/8 and up: public, outside every never-block range; probes use 44.x.
    return "%d.%d.%d.%d" % (45 + i // 16387064, (i // 64516) % 254 + 1, (i // 254) % 254 + 1,
                            i % 254 + 1)


def write_corpus(path, count):
    """90% IPv4, 5% IPv6, 5% domains; severities 4-8 (threat levels below the probes')."""
    rng = random.Random(1)
    with gzip.open(path, "wt", compresslevel=1) as out:
        for i in range(count):
            severity = "%.1f" % rng.uniform(4.0, 7.9)
            if i % 20 == 18:
                action = ipv6_action("2001:db9:%x:%x::1" % (i // 65536, i % 65536))
            elif i % 20 == 19:
                action = dns_action("bad%d.example-threat.net" % i)
            else:
                action = ipv4_action(ipv4_of(i))
            out.write(finding("bench-%d" % i, severity, action))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(work, port, store, name="guardfeed"):
    example = open("config/guardfeed.example.toml").read()
    config = example.replace('url = "sqlite://guardfeed-data/guardfeed.db"',
                             'url = "%s"' % (store or "sqlite://%s/guardfeed.db" % work))
    config = config.replace('directory = "guardfeed-data/public"',
                            'directory = "%s/public-%s"' % (work, name))
    config = config.replace('listen = "127.0.0.1:8080"',
                            'listen = "127.0.0.1:%d"\ningest_token = "%s"\n'
                            'render_debounce = "0ms"' % (port, TOKEN))
    path = os.path.join(work, name + ".toml")
    with open(path, "w") as f:
        f.write(config)
    return path


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class FeedPoller:
    """One keep-alive connection per feed; remembers each feed's ETag."""

    def __init__(self, port):
        self.port = port
        self.connections = {}
        self.etags = {}

    def fetch(self, feed):
        conn = self.connections.get(feed)
        if conn is None:
            conn = self.connections[feed] = http.client.HTTPConnection("127.0.0.1", self.port)
        headers = {"If-None-Match": self.etags[feed]} if feed in self.etags else {}
        conn.request("GET", "/feeds/" + feed, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status == 200:
            self.etags[feed] = response.getheader("ETag")
            return body
        return None  # 304: unchanged


def wait_ready(port, deadline):
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def needle(feed, ip):
    """How `feed` writes the address: SecIntel feeds as a 32-bit integer."""
    if feed != "gd_ip_feed":
        return ip.encode()
    a, b, c, d = (int(part) for part in ip.split("."))
    return b'{"4":%d,' % ((a << 24) | (b << 16) | (c << 8) | d)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build-bench")
    parser.add_argument("--indicators", type=int, default=1000000)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--store", default="", help="a store URL (default: a fresh SQLite file)")
    parser.add_argument("--replica", action="store_true",
                        help="poll a second daemon on the same store, not the one posted to")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    guardfeed = os.path.abspath(os.path.join(args.build, "src/cli/guardfeed"))
    if not os.access(guardfeed, os.X_OK):
        sys.exit("incremental_bench: build %s first" % guardfeed)

    work = tempfile.mkdtemp(prefix="guardfeed-incremental-bench.")
    daemon = None
    daemons = []
    try:
        port = free_port()
        config = write_config(work, port, args.store)
        corpus = os.path.join(work, "findings.jsonl.gz")
        print("== corpus: %d findings" % args.indicators, flush=True)
        write_corpus(corpus, args.indicators)
        print("== ingest", flush=True)
        started = time.time()
        subprocess.run([guardfeed, "-c", config, "--log-level", "warn", "ingest", corpus],
                       check=True, stdout=subprocess.DEVNULL)
        ingest_seconds = time.time() - started
        print("   %.1f s" % ingest_seconds, flush=True)

        print("== start the daemon", flush=True)
        log = open(os.path.join(work, "daemon.log"), "w")
        started = time.time()
        daemon = subprocess.Popen([guardfeed, "-c", config, "--log-level", "warn", "serve"],
                                  stdout=log, stderr=log)
        daemons.append(daemon)
        if not wait_ready(port, time.time() + 600):
            sys.exit("incremental_bench: the daemon never became ready (see %s)" % work)
        start_seconds = time.time() - started
        poll_port = port
        if args.replica:
            poll_port = free_port()
            replica_config = write_config(work, poll_port, args.store, "replica")
            daemons.append(subprocess.Popen(
                [guardfeed, "-c", replica_config, "--log-level", "warn", "serve"], stdout=log,
                stderr=log))
            if not wait_ready(poll_port, time.time() + 600):
                sys.exit("incremental_bench: the replica never became ready (see %s)" % work)
            daemon = daemons[-1]  # RSS of the daemon that serves the probes
        poller = FeedPoller(poll_port)
        for feed in IPV4_FEEDS:
            poller.fetch(feed)
        rss = rss_kib(daemon.pid)
        print("   ready after %.1f s, RSS %.1f MiB" % (start_seconds, rss / 1024), flush=True)

        post = http.client.HTTPConnection("127.0.0.1", port)
        latencies = {feed: [] for feed in IPV4_FEEDS}
        all_feeds = []
        for n in range(args.probes):
            ip = "44.%d.%d.7" % (n % 250 + 1, n // 250 + 1)  # never adjacent: no CIDR merges
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            body = finding("probe-%d-%d" % (os.getpid(), n), "8.9", ipv4_action(ip), now)
            post.request("POST", "/v1/findings", body=body,
                         headers={"Authorization": "Bearer " + TOKEN,
                                  "Content-Type": "application/json"})
            response = post.getresponse()
            response.read()
            acknowledged = time.perf_counter()
            if response.status != 200:
                sys.exit("incremental_bench: POST answered %d" % response.status)
            pending = set(IPV4_FEEDS)
            while pending:
                for feed in list(pending):
                    served = poller.fetch(feed)
                    if served is not None and needle(feed, ip) in served:
                        latencies[feed].append(time.perf_counter() - acknowledged)
                        pending.discard(feed)
                if time.perf_counter() - acknowledged > 30:
                    sys.exit("incremental_bench: %s never served %s" % (sorted(pending), ip))
                time.sleep(0.0005)
            all_feeds.append(time.perf_counter() - acknowledged)
            if (n + 1) % 10 == 0:
                print("   %d/%d probes, last %.1f ms" % (n + 1, args.probes, all_feeds[-1] * 1e3),
                      flush=True)
        rss_after = rss_kib(daemon.pid)

        load = os.getloadavg()
        print()
        print("incremental_bench: %d active indicators, %d probes, store %s, polled on %s, %s, "
              "load %.1f/%.1f/%.1f" %
              (args.indicators, args.probes, args.store.split("://")[0] if args.store else "sqlite",
               "another replica" if args.replica else "the daemon posted to",
               time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), *load))
        print()
        print("| feed | p50 ms | p99 ms | max ms |")
        print("|---|---|---|---|")
        for feed in IPV4_FEEDS + ["(all five)"]:
            values = all_feeds if feed == "(all five)" else latencies[feed]
            print("| %s | %.1f | %.1f | %.1f |" % (feed, statistics.median(values) * 1e3,
                                                  percentile(values, 99) * 1e3,
                                                  max(values) * 1e3))
        print()
        print("ingest of the corpus: %.1f s; daemon start to ready: %.1f s" %
              (ingest_seconds, start_seconds))
        print("daemon RSS: %.1f MiB after start (%.0f bytes per active indicator), %.1f MiB "
              "after the probes" % (rss / 1024, rss * 1024 / args.indicators, rss_after / 1024))
    finally:
        for process in daemons:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.keep:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
