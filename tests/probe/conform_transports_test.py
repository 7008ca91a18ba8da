#!/usr/bin/python3
"""mqtt-probe conform over TLS and WebSocket, against peers started here on 127.0.0.1 (free ports,
stopped by pid; certificates made with the openssl command in a temp dir, by tests/craft/peers.py):

- one mosquitto with a plain and a TLS listener: the chosen cases (3.1.1 and 5.0, breaking and
  behaviour, one on two connections with an abrupt close) get the same verdicts over
  mqtts:// --cafile as over plain TCP, and the known ones; --tls-version 1.2 and 1.3 too;
  --tls-keylog writes NSS key log lines; --insecure runs and says it is a risk;
- --save of a TLS run: the .pcap holds the MQTT bytes as plain TCP (the probe's CONNECT, the broker's
  CONNACK), the .craft's replay line carries --cafile;
- a CA that did not sign the server's certificate, no --cafile (the system store), the plain port
  spoken to as TLS: exit 3, "TLS handshake failed: ..." before any case; a port that never answers
  the ClientHello: exit 3, "the TLS handshake timed out", within --connect-timeout; an unreadable --cafile:
  exit 2; --cafile with a plain target, --cafile with --insecure: exit 2;
- ws:// and wss:// through tests/craft/ws_peer.js (the npm package ws) bridging to that mosquitto:
  the same verdicts as plain TCP, also with --ws-frame 3 (frames of at most 3 payload bytes on the
  wire, tcpdump on lo; the --save replay line carries it; on a TCP target: exit 2); an upgrade the
  server refuses (403): exit 3 naming the upgrade;
- aedes served over WebSocket by tools/node/aedes_ws.js: a few of its known 3.1.1 verdicts;

Missing openssl, mosquitto, node or its npm packages fail the test, naming what is missing. Every
wait is bounded.

Usage: conform_transports_test.py PATH/TO/mqtt-probe
"""
import os
import socket
import sys
import tempfile
import time

import probe_driver
from probe_driver import check, conform_doc, main, only, peers, running, tls_mosquitto

# mosquitto 2.0.11's verdicts (as tests/probe/conform_mosquitto_test.py asserts over plain TCP).
CASES = {
    "pingreq-answered": "pass", "publish-qos-3": "pass", "connect-reserved-flag": "pass", "qos-1-delivery": "pass",
    "will-on-abrupt-close": "pass", "v5-pingreq-answered": "pass", "v5-topic-alias-zero": "fail",
    "pingreq-flags": "fail",
}
# aedes 0.51.3's verdicts (as tests/probe/conform_aedes_test.py asserts over plain TCP).
AEDES_CASES = {"pingreq-flags": "pass", "pingreq-answered": "pass", "publish-dup-qos-0": "fail",
               "v5-pingreq-answered": "n/a"}


def probe(*args):
    """Every run of the probe here ends within 40 s."""
    return probe_driver.probe(*args, timeout=40)


def verdicts(target, *extra, cases=CASES):
    """Runs `cases` against `target`: (exit code, {id: (verdict, detail)}, stderr)."""
    r = probe("conform", target, "--json", "--timeout", "1000", *only(cases), *extra)
    doc = conform_doc(r, target)
    return r.returncode, {c["id"]: (c["verdict"], c["detail"]) for c in doc["cases"]}, r.stderr


def only_verdicts(got):
    return {k: v[0] for k, v in got.items()}


def test_tls(plain_port, tls_port, certs, other_ca, tmp):
    code, plain, _ = verdicts(f"127.0.0.1:{plain_port}")
    check(code == 1 and only_verdicts(plain) == CASES, f"plain TCP: the known verdicts: {code} {plain}")
    url = f"mqtts://127.0.0.1:{tls_port}"
    code, tls, err = verdicts(url, "--cafile", certs["ca.pem"])
    check(code == 1 and tls == plain, f"mqtts:// --cafile: the verdicts and details of plain TCP: {code} {tls} {err}")
    for version in ("1.2", "1.3"):
        code, got, err = verdicts(url, "--cafile", certs["ca.pem"], "--tls-version", version,
                                  cases={"pingreq-answered": "pass"})
        check(code == 0 and only_verdicts(got) == {"pingreq-answered": "pass"},
              f"--tls-version {version}: {code} {got} {err}")
    keylog = os.path.join(tmp, "keys.log")
    code, got, err = verdicts(url, "--cafile", certs["ca.pem"], "--tls-keylog", keylog, cases={"pingreq-answered": "pass"})
    keys = open(keylog).read() if os.path.exists(keylog) else ""
    check(code == 0 and ("CLIENT_TRAFFIC_SECRET_0 " in keys or "CLIENT_RANDOM " in keys),
          f"--tls-keylog: NSS key log lines: {code} {got} {keys[:200]!r}")
    code, got, err = verdicts(url, "--insecure", cases={"pingreq-answered": "pass"})
    check(code == 0 and only_verdicts(got) == {"pingreq-answered": "pass"} and "--insecure" in err,
          f"--insecure: runs, and says it is a risk: {code} {got} {err}")

    save = os.path.join(tmp, "saved")
    r = probe("conform", url, "--cafile", certs["ca.pem"], "--only", "pingreq-flags", "--timeout", "500",
              "--save", save)
    check(r.returncode == 1, f"--save over TLS: exit 1: {r.returncode} {r.stderr}")
    segments = peers.read_pcap(os.path.join(save, "pingreq-flags.pcap")) if os.path.isdir(save) else []
    client, server = peers.tcp_stream(segments, dst_port=1883), peers.tcp_stream(segments, src_port=1883)
    check(client[:1] == b"\x10" and b"MQTT" in client[:12] and server[:4] == b"\x20\x02\x00\x00",
          f"the --save pcap of a TLS run holds the MQTT bytes as plain TCP: {client[:16].hex()} {server[:8].hex()}")
    craft_file = os.path.join(save, "pingreq-flags.craft")
    text = open(craft_file).read() if os.path.exists(craft_file) else ""
    check(f"--send {url} --cafile {certs['ca.pem']}" in text, f"the replay line carries --cafile: {text[:800]}")


def test_tls_failures(plain_port, tls_port, certs, other_ca):
    url = f"mqtts://127.0.0.1:{tls_port}"
    for name, args, words in [
        ("a CA that did not sign the certificate", ["--cafile", other_ca], "certificate is not trusted by " + other_ca),
        ("the system store", [], "certificate is not trusted by the system's store"),
    ]:
        start = time.monotonic()
        r = probe("conform", url, *args, "--only", "pingreq-answered")
        check(r.returncode == 3 and r.stdout == "" and
              r.stderr.startswith(f"mqtt-probe: cannot connect to {url}: TLS handshake failed: ") and words in r.stderr,
              f"{name}: exit 3 before any case, the reason: {r.returncode} {r.stdout!r} {r.stderr!r}")
        check(time.monotonic() - start < 5, f"{name}: said at once")
    r = probe("conform", f"mqtts://127.0.0.1:{plain_port}", "--cafile", certs["ca.pem"])
    check(r.returncode == 3 and "TLS handshake failed" in r.stderr, f"the plain port as TLS: {r.returncode} {r.stderr}")
    with socket.socket() as silent:  # accepted by the kernel's backlog, the ClientHello never answered
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        start = time.monotonic()
        r = probe("conform", f"mqtts://127.0.0.1:{silent.getsockname()[1]}", "--cafile", certs["ca.pem"],
                  "--connect-timeout", "300")
        check(r.returncode == 3 and "the TLS handshake timed out after 300 ms" in r.stderr and
              time.monotonic() - start < 5, f"a silent TLS port: exit 3 in bounded time: {r.returncode} {r.stderr}")
    r = probe("conform", url, "--cafile", "/nonexistent/ca.pem")
    check(r.returncode == 2 and "/nonexistent/ca.pem" in r.stderr, f"unreadable --cafile: exit 2: {r.returncode} {r.stderr}")
    r = probe("conform", f"127.0.0.1:{plain_port}", "--cafile", certs["ca.pem"])
    check(r.returncode == 2 and "--cafile is a TLS option" in r.stderr, f"--cafile on TCP: {r.returncode} {r.stderr}")
    r = probe("conform", url, "--cafile", certs["ca.pem"], "--insecure")
    check(r.returncode == 2 and "exclude each other" in r.stderr, f"--cafile --insecure: {r.returncode} {r.stderr}")


def test_websocket(plain_port, tmp, certs):
    _, plain, _ = verdicts(f"127.0.0.1:{plain_port}")
    ws_port, wss_port = peers.free_port(), peers.free_port()
    with running(peers.NodePeer(tmp, ws_port, plain_port, tls_port=wss_port, certs=certs)):
        code, got, err = verdicts(f"ws://127.0.0.1:{ws_port}/mqtt")
        check(code == 1 and got == plain, f"ws://: the verdicts and details of plain TCP: {code} {got} {err}")
        code, got, err = verdicts(f"wss://127.0.0.1:{wss_port}/mqtt", "--cafile", certs["ca.pem"])
        check(code == 1 and got == plain, f"wss:// --cafile: the verdicts of plain TCP: {code} {got} {err}")
        test_ws_frame(ws_port, tmp, plain)
        r = probe("conform", f"ws://127.0.0.1:{ws_port}/refuse")
        check(r.returncode == 3 and "WebSocket upgrade failed" in r.stderr and "403" in r.stderr,
              f"a refused upgrade: exit 3, named: {r.returncode} {r.stderr}")


def test_ws_frame(ws_port, tmp, plain):
    """--ws-frame 3: the same verdicts and details as plain TCP; on the wire (tcpdump on lo) the
    client's messages cut into frames of at most 3 payload bytes; the --save replay line carries it."""
    url = f"ws://127.0.0.1:{ws_port}/mqtt"
    code, got, err = verdicts(url, "--ws-frame", "3")
    check(code == 1 and got == plain, f"ws:// --ws-frame 3: the verdicts and details of plain TCP: {code} {got} {err}")
    pcap = os.path.join(tmp, "ws-frame.pcap")
    capture = peers.Capture(ws_port, pcap)
    try:
        code, got, err = verdicts(url, "--ws-frame", "3", cases={"pingreq-answered": "pass"})
    finally:
        capture.stop(connections=2)  # the target's check, then the case
    check(code == 0 and only_verdicts(got) == {"pingreq-answered": "pass"}, f"--ws-frame 3, one case: {code} {got} {err}")
    segments = peers.read_pcap(pcap)
    # Each connection's client frames (the first connection only checks that the target answers);
    # the case's is the one with the most data frames.
    client_ports = [s[0] for s in segments if s[1] == ws_port and s[3] & 0x02]  # the SYN of each
    per_connection = [peers.ws_frames(peers.tcp_stream([s for s in segments if port in (s[0], s[1])],
                                                       dst_port=ws_port)) for port in client_ports]
    frames = max(per_connection, key=lambda fs: sum(f[1] in (0, 2) for f in fs), default=[])
    data = [f for f in frames if f[1] in (0, 2)]
    check(data and all(f[2] for f in frames) and all(f[3] <= 3 for f in data) and any(f[1] == 0 for f in data),
          f"--ws-frame 3 on the wire: masked client frames of at most 3 payload bytes, continuation frames among "
          f"them: {[(f[1], f[3]) for f in frames[:12]]}")
    save = os.path.join(tmp, "saved-ws")
    r = probe("conform", url, "--ws-frame", "3", "--only", "pingreq-flags", "--timeout", "500", "--save", save)
    craft_file = os.path.join(save, "pingreq-flags.craft")
    text = open(craft_file).read() if os.path.exists(craft_file) else ""
    check(r.returncode == 1 and f"--send {url} --ws-frame 3" in text,
          f"--save: the replay line carries --ws-frame: {r.returncode} {r.stderr} {text[:600]}")
    r = probe("conform", "127.0.0.1:1", "--ws-frame", "3")
    check(r.returncode == 2 and "--ws-frame is a WebSocket option" in r.stderr,
          f"--ws-frame on a TCP target: exit 2, said: {r.returncode} {r.stderr}")


def test_aedes_websocket():
    port = peers.free_port()
    with running(peers.Aedes(port, "aedes_ws.js")):
        code, got, err = verdicts(f"ws://127.0.0.1:{port}/mqtt", cases=AEDES_CASES)
        check(code == 1 and only_verdicts(got) == AEDES_CASES, f"aedes over ws://: its known verdicts: {code} {got} {err}")


def run():
    with tempfile.TemporaryDirectory() as tmp:
        with tls_mosquitto(tmp) as (plain_port, tls_port, certs, other_ca, _):
            test_tls(plain_port, tls_port, certs, other_ca, tmp)
            test_tls_failures(plain_port, tls_port, certs, other_ca)
            test_websocket(plain_port, tmp, certs)
        test_aedes_websocket()


if __name__ == "__main__":
    sys.exit(main(run))
