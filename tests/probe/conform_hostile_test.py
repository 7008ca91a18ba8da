#!/usr/bin/python3
"""mqtt-probe conform against peers that are not brokers, tiny servers here on 127.0.0.1 (threads of
this process, closed at the end), and stopped runs:

- a server that accepts and never answers: the whole catalogue ends, every case within its bound,
  each with a verdict and a detail (n/a: no CONNACK; fail: a rule-breaking CONNECT left open);
- servers that flood: CONNACK then endless QoS 0 PUBLISH packets, endless garbage, a PUBLISH whose
  Remaining Length announces 256 MB: every case ends within its bound, the probe's memory stays
  bounded (its peak RSS), the broken stream is a finding with its rule ID, and --save keeps at most
  1 MiB of the broker's bytes per case (said on stderr);
- SIGINT after ~1 s of a run whose --timeout is 20 s, against a server that answers CONNECT and
  PINGREQ only: the case that ended keeps its verdict, the one running is cut after the 1 s grace,
  the rest are "not run"; the JSON, the JUnit file and --save are still written; exit 130, all
  within a few seconds. SIGTERM with the table: the summary line says "interrupted";
- `conform --list` into a pipe whose reader has gone: exit 0, nothing on stderr (no abort); a run
  into such a pipe: exit by its verdicts, --junit still written.

Every wait is bounded.

Usage: conform_hostile_test.py PATH/TO/mqtt-probe
"""
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from probe_driver import Server, by_id, check, conform_doc, main, only, running, start_probe, stop_probe, timed_probe

CONNACK = bytes([0x20, 0x02, 0x00, 0x00])

# Under AddressSanitizer its quarantine keeps up to 256 MB of freed memory resident: the bound below
# is on the probe's own memory, so the sanitizer's quarantine is kept small (no effect otherwise).
os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16").lstrip(":")

def silent(conn, done):
    """Reads and drops everything; never answers, never closes."""
    conn.settimeout(0.2)
    while not done.is_set():
        try:
            if not conn.recv(65536):
                return
        except socket.timeout:
            continue


def flood_with(head, chunk):
    """Sends `head` after the client's first bytes, then `chunk` again and again until the client goes."""
    def behaviour(conn, done):
        conn.settimeout(2)
        conn.recv(65536)
        conn.sendall(head)
        while not done.is_set():
            conn.sendall(chunk)
    return behaviour


def publish(topic, payload):
    body = len(topic).to_bytes(2, "big") + topic + payload
    n, length = len(body), b""
    while True:
        b, n = n % 128, n // 128
        length += bytes([b | (0x80 if n else 0)])
        if not n:
            break
    return bytes([0x30]) + length + body


def answering(conn, done):
    """CONNACK 0 to each CONNECT, PINGRESP to each PINGREQ; nothing else, never closes."""
    conn.settimeout(0.2)
    buf = b""
    while not done.is_set():
        try:
            data = conn.recv(65536)
        except socket.timeout:
            continue
        if not data:
            return
        buf += data
        while len(buf) >= 2:
            length, shift, at = 0, 0, 1
            while at < len(buf) and at < 5:
                length |= (buf[at] & 0x7F) << shift
                shift += 7
                at += 1
                if not buf[at - 1] & 0x80:
                    break
            else:
                break
            if len(buf) < at + length:
                break
            kind, buf = buf[0] >> 4, buf[at + length:]
            if kind == 1:
                conn.sendall(CONNACK)
            elif kind == 12:
                conn.sendall(bytes([0xD0, 0x00]))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cases_of(r, name):
    doc = conform_doc(r, name)
    return by_id(doc), doc["summary"]


def test_silent():
    with running(Server(silent)) as server:
        r, seconds = timed_probe("conform", f"127.0.0.1:{server.port}", "--json", "--timeout", "300", "-j", "16")
        cases, summary = cases_of(r, "silent")
        check(r.returncode == 1 and len(cases) >= 100, f"silent: the whole catalogue, exit 1: {r.returncode} {summary}")
        check(seconds < 30, f"silent: the catalogue ends in bounded time: {seconds:.1f} s")
        check(all(c["verdict"] in ("n/a", "fail", "inconclusive") and c["detail"] for c in cases.values()),
              f"silent: a verdict and a detail for every case: {[c for c in cases.values() if not c['detail']][:3]}")
        check(all(c["seconds"] < 4 for c in cases.values()),
              f"silent: every case within its bound: {max((c['seconds'], c['id']) for c in cases.values())}")
        c = cases.get("pingreq-answered", {})
        check(c.get("verdict") == "n/a" and "no CONNACK within 300 ms" in c.get("detail", ""),
              f"silent: no CONNACK is n/a, said so: {c}")
        c = cases.get("v5-pingreq-answered", {})
        check(c.get("verdict") == "n/a" and c.get("detail", "").startswith("no MQTT 5.0: "), f"silent: 5.0 n/a: {c}")
        c = cases.get("connect-reserved-flag", {})
        check(c.get("verdict") == "fail" and "still open after 300 ms" in c.get("detail", ""),
              f"silent: a broken CONNECT left open fails: {c}")


FLOODS = {
    "publish": (CONNACK, publish(b"flood/x", b"p" * 1000) * 64),
    "garbage": (b"", b"\xff" * 65536),
    "huge-length": (CONNACK + bytes([0x30, 0xFF, 0xFF, 0xFF, 0x7F]), b"\x00" * 65536),
}
FLOOD_CASES = ["pingreq-answered", "publish-qos-3", "connect-reserved-flag", "retained-delivered", "qos-1-delivery",
               "keep-alive-expiry", "v5-pingreq-answered", "subscribe-flags"]


def test_floods(tmp):
    for name, (head, chunk) in FLOODS.items():
        save = os.path.join(tmp, "flood-" + name)
        with running(Server(flood_with(head, chunk))) as server:
            r, seconds = timed_probe("conform", f"127.0.0.1:{server.port}", "--json", "--timeout", "500", "--save",
                                     save, *only(FLOOD_CASES))
            cases, summary = cases_of(r, name)
            check(r.returncode in (0, 1) and len(cases) == len(FLOOD_CASES), f"{name}: every case ran: {r.returncode} "
                  f"{summary} {r.stderr[-500:]}")
            check(seconds < 20, f"{name}: bounded time: {seconds:.1f} s")
            check(all(c["detail"] or c["verdict"] == "pass" for c in cases.values()), f"{name}: details: {cases}")
            check(all(c["seconds"] < 4 for c in cases.values()), f"{name}: every case within its bound: "
                  f"{[(c['id'], c['seconds']) for c in cases.values()]}")
            check(all(len(c["findings"]) <= 65 for c in cases.values()), f"{name}: findings bounded")
            check(peak_rss_mb() < 300, f"{name}: the probe's memory stays bounded: peak {peak_rss_mb():.0f} MB")
            print(f"{name}: {seconds:.1f} s, peak RSS so far {peak_rss_mb():.0f} MB")
            pcaps = [os.path.join(save, f) for f in os.listdir(save) if f.endswith(".pcap")] if os.path.isdir(save) else []
            check(pcaps and all(os.path.getsize(p) < 3 * 1024 * 1024 for p in pcaps),
                  f"{name}: --save keeps at most 1 MiB of the broker's bytes per case: "
                  f"{[(p, os.path.getsize(p)) for p in pcaps]}")
            if name == "garbage":
                check("the broker sent more than 1048576 bytes" in r.stderr, f"garbage: the cut is said: {r.stderr}")
                c = cases.get("pingreq-answered", {})
                check(c.get("verdict") == "n/a", f"garbage: no CONNACK, n/a: {c}")
                c = cases.get("connect-reserved-flag", {})
                check(any(f.startswith("MQTT-") and "the broker's stream at byte" in f for f in c.get("findings", [])),
                      f"garbage: the broken stream is a finding with a rule ID: {c}")
            if name == "publish":
                c = cases.get("publish-qos-3", {})
                check(c.get("verdict") == "fail" and c.get("detail", "").startswith("sent 32 packets that are not"),
                      f"publish: a flood of other packets fails the step after 32: {c}")


def test_interrupt(tmp):
    junit, save = os.path.join(tmp, "interrupted.xml"), os.path.join(tmp, "interrupted")
    with running(Server(answering)) as server:
        start = time.monotonic()
        proc = start_probe("conform", f"127.0.0.1:{server.port}", "--json", "--timeout", "20000", "-j", "1",
                           "--junit", junit, "--save", save,
                           *only(["pingreq-answered", "disconnect-flags", "qos-1-delivery", "session-present"]))
        time.sleep(1.0)
        out, err, _ = stop_probe(proc, signal.SIGINT, 10)
        seconds = time.monotonic() - start
        check(proc.returncode == 130, f"SIGINT: exit 130, got {proc.returncode}: {err}")
        check(seconds < 4.5, f"SIGINT: the run ends within the grace: {seconds:.1f} s")
        r = subprocess.CompletedProcess([], proc.returncode, out, err)
        cases, summary = cases_of(r, "SIGINT")
        verdicts = {k: (c["verdict"], c["detail"]) for k, c in cases.items()}
        check(verdicts.get("pingreq-answered", ("",))[0] == "pass", f"SIGINT: the case that ended keeps its verdict: "
              f"{verdicts}")
        check(verdicts.get("disconnect-flags") == ("not run", "interrupted: cut short when the run was stopped"),
              f"SIGINT: the running case is cut short: {verdicts}")
        check(all(verdicts.get(c) == ("not run", "interrupted: not started") for c in ("qos-1-delivery", "session-present")),
              f"SIGINT: the others did not start: {verdicts}")
        check(summary.get("interrupted") is True and summary.get("not_run") == 3 and summary.get("pass") == 1,
              f"SIGINT: the summary: {summary}")
        check("interrupted: 3 of 4 case(s) not run" in err, f"SIGINT: said on stderr: {err}")
        root = ET.parse(junit).getroot() if os.path.exists(junit) else None
        check(root is not None and root.get("tests") == "4" and root.get("skipped") == "3",
              f"SIGINT: JUnit still written: {root.attrib if root is not None else None}")
        check(os.path.isdir(save), "SIGINT: --save still ran (nothing failed: no file)")

        proc = start_probe("conform", f"127.0.0.1:{server.port}", "--timeout", "20000", "-j", "1",
                           "--only", "disconnect-flags")
        time.sleep(0.5)
        out, err, ended = stop_probe(proc, signal.SIGTERM, 10)
        check(ended and proc.returncode == 130 and "1 cases: 0 pass, 0 fail, 0 n/a, 0 inconclusive, 1 not run" in out
              and out.rstrip().endswith("; interrupted"), f"SIGTERM: the table says interrupted, exit 130: "
              f"{proc.returncode} {out!r}")


def test_broken_pipe(tmp):
    proc = start_probe("conform", "--list", text=False)
    proc.stdout.close()  # the reader goes before the catalogue is written (as `| head -1` does)
    err = proc.stderr.read()
    proc.wait(timeout=10)
    check(proc.returncode == 0 and err == b"", f"--list into a closed pipe: exit 0, quietly: {proc.returncode} {err!r}")
    junit = os.path.join(tmp, "closed-pipe.xml")
    with running(Server(silent)) as server:
        proc = start_probe("conform", f"127.0.0.1:{server.port}", "--only", "connect-reserved-flag",
                           "--timeout", "200", "--junit", junit, text=False)
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=10)
        check(proc.returncode == 1 and err == b"" and os.path.exists(junit),
              f"a run into a closed pipe: exit by its verdicts, --junit written: {proc.returncode} {err!r}")


def run():
    with tempfile.TemporaryDirectory() as tmp:
        test_broken_pipe(tmp)
        test_interrupt(tmp)
        test_silent()
        test_floods(tmp)


if __name__ == "__main__":
    sys.exit(main(run))
