#!/usr/bin/python3
"""mqtt-probe fuzz over TLS and WebSocket, against peers started here on 127.0.0.1 (free ports,
stopped by pid; certificates made with the openssl command in a temp dir, by tests/craft/peers.py):

- one mosquitto with a plain and a TLS listener, and tests/craft/ws_peer.js bridging ws:// and
  wss:// to its plain port: 200 cases of seed 1 over mqtts:// --cafile, ws:// and wss:// --cafile
  give the exit code and the findings of the same 200 cases over plain TCP, and the summary counts
  200 cases, every one of which reached the broker; so do 200 cases over ws:// --ws-frame 5 (each
  packet cut into WebSocket frames of at most 5 payload bytes);
- --tls-version 1.2 and --tls-keylog: the run goes on TLS 1.2 and the key log gets NSS lines;
- the case that draws mosquitto's known finding (CONNACK to a malformed 5.0 CONNECT), run alone over
  mqtts://: the finding of plain TCP; its .craft's replay lines carry --cafile; its .pcap holds the
  MQTT bytes as plain TCP (the probe's CONNECT, the broker's CONNACK);
- a CA that did not sign the server's certificate, the plain port spoken to as TLS, an upgrade the
  server refuses (403): exit 3 before any case, the reason said as conform says it; the TLS options
  with a plain target, --cafile with --insecure, --ws-frame with a TLS target: exit 2; every
  target form (HOST:PORT, mqtt://, mqtts://, ws://, wss://) is taken, none is refused as a usage
  error.

Missing openssl, mosquitto, node or its npm packages fail the test, naming what is missing. Every
wait is bounded; the whole takes about 20 s.

Usage: fuzz_transports_test.py PATH/TO/mqtt-probe
"""
import json
import os
import sys
import tempfile

import probe_driver
from probe_driver import check, main, peers, running, tls_mosquitto

CASES = "200"
FINDING_CASE = "557"  # of seed 1: a 5.0 CONNECT mosquitto answers with CONNACK though it is malformed


def fuzz(target, *args):
    """Runs `fuzz target args` (40 s at most): (its CompletedProcess, the JSON summary or None)."""
    r = probe_driver.probe("fuzz", target, "--json", *args, timeout=40)
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        return r, None


def keys(doc):
    return sorted(f["key"] for f in doc["findings"]) if doc else None


def same_as_plain(name, plain, target, *args):
    """200 cases of seed 1 against `target` end as `plain` (the run over plain TCP) did."""
    r, doc = fuzz(target, "--seed", "1", "--max-cases", CASES, *args)
    if not check(doc is not None, f"{name}: a JSON summary, got exit {r.returncode}: {r.stdout!r} {r.stderr[-500:]!r}"):
        return
    ends = doc["ends"]
    check(r.returncode == plain["code"] and keys(doc) == keys(plain["doc"]),
          f"{name}: the exit code and findings of plain TCP ({plain['code']}, {keys(plain['doc'])}): "
          f"{r.returncode} {keys(doc)} {r.stderr[-500:]}")
    check(doc["cases"] == int(CASES) and ends["closed"] + ends["reset"] + ends["bound"] == int(CASES) and
          ends["refused"] == 0, f"{name}: the summary counts {CASES} cases, each reached the broker: {doc}")
    check(doc["target"] == target and not doc["stopped"] and not doc["interrupted"], f"{name}: nothing else: {doc}")


def test_runs(plain_port, tls_port, ws_port, wss_port, certs, tmp):
    r, doc = fuzz(f"127.0.0.1:{plain_port}", "--seed", "1", "--max-cases", CASES, "--save", os.path.join(tmp, "p"))
    check(r.returncode in (0, 1) and doc is not None and doc["cases"] == int(CASES),
          f"plain TCP: {CASES} cases, exit 0 or 1: {r.returncode} {r.stdout!r} {r.stderr!r}")
    plain = {"code": r.returncode, "doc": doc}
    ca = ["--cafile", certs["ca.pem"]]
    same_as_plain("mqtts://", plain, f"mqtts://127.0.0.1:{tls_port}", *ca, "--save", os.path.join(tmp, "t"))
    same_as_plain("ws://", plain, f"ws://127.0.0.1:{ws_port}/mqtt", "--save", os.path.join(tmp, "w"))
    same_as_plain("wss://", plain, f"wss://127.0.0.1:{wss_port}/mqtt", *ca, "--save", os.path.join(tmp, "ws"))
    same_as_plain("ws:// --ws-frame 5", plain, f"ws://127.0.0.1:{ws_port}/mqtt", "--ws-frame", "5")

    keylog = os.path.join(tmp, "keys.log")
    r, doc = fuzz(f"mqtts://127.0.0.1:{tls_port}", *ca, "--tls-version", "1.2", "--tls-keylog", keylog,
                  "--seed", "2", "--max-cases", "20", "--save", os.path.join(tmp, "k"))
    log = open(keylog).read() if os.path.exists(keylog) else ""
    check(r.returncode in (0, 1) and doc and doc["cases"] == 20 and "CLIENT_RANDOM " in log,
          f"--tls-version 1.2 --tls-keylog: 20 cases, TLS 1.2 key log lines: {r.returncode} {doc} {log[:200]!r}")


def test_finding(plain_port, tls_port, certs, tmp):
    one = ["--seed", "1", "--first-case", FINDING_CASE, "--max-cases", "1", "--case-timeout", "200",
           "--minimise-runs", "20"]
    r, plain = fuzz(f"127.0.0.1:{plain_port}", *one, "--save", os.path.join(tmp, "fp"))
    url = f"mqtts://127.0.0.1:{tls_port}"
    save = os.path.join(tmp, "ft")
    r, doc = fuzz(url, "--cafile", certs["ca.pem"], *one, "--save", save)
    check(r.returncode == 1 and keys(doc) == keys(plain) and len(keys(doc)) == 1,
          f"case {FINDING_CASE} over mqtts://: the finding of plain TCP {keys(plain)}: {r.returncode} {keys(doc)} {r.stderr}")
    if not doc or not doc["findings"]:
        return
    base = doc["findings"][0]["file"]
    text = open(base + ".craft").read() if os.path.exists(base + ".craft") else ""
    check(f"--send {url} --cafile {certs['ca.pem']}\n" in text and
          f"mqtt-probe fuzz {url} --cafile {certs['ca.pem']} --seed 1 --first-case {FINDING_CASE}" in text,
          f"the .craft's replay lines carry --cafile: {text[:1200]}")
    segments = peers.read_pcap(base + ".pcap") if os.path.exists(base + ".pcap") else []
    client, server = peers.tcp_stream(segments, dst_port=1883), peers.tcp_stream(segments, src_port=1883)
    check(client[:1] == b"\x10" and server[:1] == b"\x20",
          f"the .pcap holds the MQTT bytes as plain TCP: {client[:16].hex()} {server[:8].hex()}")


def test_refusals(plain_port, tls_port, ws_port, certs, other_ca):
    url = f"mqtts://127.0.0.1:{tls_port}"
    for name, target, args, words in [
        ("a CA that did not sign the certificate", url, ["--cafile", other_ca],
         f"cannot connect to {url}: TLS handshake failed: the server's certificate is not trusted by {other_ca}"),
        ("the plain port as TLS", f"mqtts://127.0.0.1:{plain_port}", ["--cafile", certs["ca.pem"]],
         "TLS handshake failed"),
        ("a refused upgrade", f"ws://127.0.0.1:{ws_port}/refuse", [], "WebSocket upgrade failed"),
    ]:
        r, _ = fuzz(target, *args, "--max-cases", "5")
        check(r.returncode == 3 and r.stdout == "" and words in r.stderr,
              f"{name}: exit 3 before any case, the reason: {r.returncode} {r.stdout!r} {r.stderr!r}")
    for name, target, args, words in [
        ("--cafile with a plain target", f"127.0.0.1:{plain_port}", ["--cafile", certs["ca.pem"]], "is a TLS option"),
        ("--cafile with --insecure", url, ["--cafile", certs["ca.pem"], "--insecure"], "exclude each other"),
        ("an unreadable --cafile", url, ["--cafile", "/nonexistent/ca.pem"], "/nonexistent/ca.pem"),
        ("--ws-frame with a TLS target", url, ["--insecure", "--ws-frame", "5"], "is a WebSocket option"),
    ]:
        r, _ = fuzz(target, *args, "--max-cases", "5")
        check(r.returncode == 2 and words in r.stderr, f"{name}: exit 2: {r.returncode} {r.stderr!r}")
    for target, args in [(f"mqtt://127.0.0.1:{plain_port}", []), (url, ["--insecure"]),
                         (f"ws://127.0.0.1:{ws_port}/mqtt", [])]:
        r, doc = fuzz(target, *args, "--seed", "5", "--max-cases", "5")
        check(r.returncode in (0, 1) and doc and doc["cases"] == 5, f"fuzz {target}: taken: {r.returncode} {r.stderr!r}")


def run():
    with tempfile.TemporaryDirectory() as tmp:
        ws_port, wss_port = peers.free_port(), peers.free_port()
        with tls_mosquitto(tmp) as (plain_port, tls_port, certs, other_ca, broker):
            with running(peers.NodePeer(tmp, ws_port, plain_port, tls_port=wss_port, certs=certs)):
                test_runs(plain_port, tls_port, ws_port, wss_port, certs, tmp)
                test_finding(plain_port, tls_port, certs, tmp)
                test_refusals(plain_port, tls_port, ws_port, certs, other_ca)
            check(broker.poll() is None, "mosquitto still runs after the fuzzing")


if __name__ == "__main__":
    sys.exit(main(run))
