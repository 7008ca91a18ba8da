#!/usr/bin/python3
"""mqtt-craft --send ws:// and wss:// against a real peer: a mosquitto started here (plain listener on
127.0.0.1, free port) behind tests/craft/ws_peer.js, a Node WebSocket server (the npm package `ws`
from tools/node/node_modules, which tools/setup.sh installs) bridging WebSocket to that port:

- a whole session over ws://: CONNACK, SUBACK, our PUBLISH back, PUBACK, every line marked
  [WebSocket]; the peer's ping is answered (the peer prints the pong);
- --ws-frame 3 on the wire (tcpdump on lo, the port only): every client frame masked with at most
  3 payload bytes, a binary frame and continuations per packet, the messages being the packets;
  mqtt-dissect reads the capture back with every packet;
- a refused upgrade (403), a wrong Sec-WebSocket-Accept, a text frame from the server: exit 7 with
  the reason; a close frame from the server: exit 4 naming its code; a 101 with no subprotocol:
  a warning, the session goes on; the plain MQTT port spoken to as WebSocket: exit 7;
- wss:// with --cafile (marked [TLS+WebSocket], ALPN http/1.1), and without it: exit 6.

Without tools/node/node_modules/ws the test fails, naming the setup step. Every peer is stopped by
pid at the end; every wait is bounded.

Usage: send_ws_test.py PATH/TO/mqtt-craft PATH/TO/mqtt-dissect
"""
import os
import subprocess
import sys
import tempfile

import peers
from checks import check, json_lines, run_tool, verdict

CRAFT = DISSECT = None
def craft(*args):
    return run_tool(CRAFT, *args)


SESSION = ["connect", "--client-id", "ws-1", "+", "subscribe", "--filter", "ws/#:1", "--packet-id", "3", "+",
           "publish", "--topic", "ws/t", "--payload", "over websocket", "--qos", "1", "--packet-id", "9", "+",
           "disconnect"]


def check_session(name, code, out, err, transport):
    rows = json_lines(out)
    got = [r for r in rows if r.get("direction") == "s2c"]
    check(code == 0, f"{name}: exit {code}, stderr {err!r}")
    check([r["type"] for r in rows if r.get("direction") == "c2s"] == ["CONNECT", "SUBSCRIBE", "PUBLISH", "DISCONNECT"],
          f"{name}: sent {rows}")
    check(sorted(r["type"] for r in got) == ["CONNACK", "PUBACK", "PUBLISH", "SUBACK"], f"{name}: replies {got}")
    check(any(r["type"] == "PUBLISH" and r.get("payload") == "over websocket" for r in got), f"{name}: echo {got}")
    check(all(r.get("transport") == transport for r in rows), f"{name}: transport marks {rows}")
    check("after our DISCONNECT (WebSocket close 1000)" in err, f"{name}: stderr {err!r}")
    check("WebSocket ping from the server (10 bytes), answered with a pong" in err, f"{name}: ping, stderr {err!r}")


def ws_tests(tmp, node, ws_port, plain_port):
    base = f"ws://127.0.0.1:{ws_port}"
    code, out, err = craft("--send", base + "/mqtt", "--json", "--delay", "200", "--wait", "500", *SESSION)
    check_session("ws session", code, out, err, "WebSocket")
    check("GET /mqtt upgraded (HTTP/1.1 101 Switching Protocols), subprotocol mqtt" in err, f"ws session: {err!r}")

    # --ws-frame 3, seen on the wire.
    pcap = os.path.join(tmp, "ws-frame.pcap")
    capture = peers.Capture(ws_port, pcap)
    try:
        code, out, err = craft("--send", base + "/mqtt", "--ws-frame", "3", "--json", "--delay", "200",
                               "--wait", "500", *SESSION)
    finally:
        capture.stop()
    check_session("--ws-frame 3", code, out, err, "WebSocket")
    segments = peers.read_pcap(pcap)
    frames = peers.ws_frames(peers.tcp_stream(segments, dst_port=ws_port))
    data = [f for f in frames if f[1] in (0, 2)]
    check(data and all(f[2] for f in frames), f"--ws-frame 3: every client frame masked: {frames[:6]}")
    check(data and all(f[3] <= 3 for f in data), f"--ws-frame 3: payloads of at most 3 bytes: {[f[3] for f in data]}")
    check(any(not f[0] for f in data) and any(f[1] == 0 for f in data), "--ws-frame 3: no continuation frames")
    sent = [r for r in json_lines(out) if r.get("direction") == "c2s"]
    messages = peers.ws_messages(frames)
    check([len(m) for m in messages] == [r["length"] for r in sent],
          f"--ws-frame 3: one message per packet: {[len(m) for m in messages]} vs {[r['length'] for r in sent]}")
    check(any(f[1] == 10 for f in frames), "--ws-frame 3: no pong on the wire")
    check(any(f[1] == 8 for f in frames), "--ws-frame 3: no close frame from the client on the wire")
    # --ws-port: the port is a free high one, not one mqtt-dissect looks at for WebSocket by default.
    r = subprocess.run([DISSECT, "--json", "--ws-port", str(ws_port), pcap], capture_output=True, text=True, timeout=30)
    seen = [(p["direction"], p["type"]) for p in json_lines(r.stdout) if "type" in p]
    check([t for d, t in seen if d == "c2s"] == ["CONNECT", "SUBSCRIBE", "PUBLISH", "DISCONNECT"] and
          sorted(t for d, t in seen if d == "s2c") == ["CONNACK", "PUBACK", "PUBLISH", "SUBACK"],
          f"--ws-frame 3: mqtt-dissect on the capture: {seen}, stderr {r.stderr[-500:]!r}")

    # The peer's side: each connection's ping came back as a pong.
    check(node.log().count("pong craft-ping /mqtt") >= 2, f"pongs seen by the peer: {node.log()!r}")

    code, out, err = craft("--send", base + "/refuse", "connect")
    check(code == 7 and "the server refused the WebSocket upgrade: 'HTTP/1.1 403 Forbidden'" in err and out == "",
          f"refused: exit {code}, stderr {err!r}")
    code, out, err = craft("--send", base + "/bad-accept", "connect")
    check(code == 7 and "Sec-WebSocket-Accept is 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='" in err, f"bad accept: exit {code}, {err!r}")
    code, out, err = craft("--send", base + "/text", "--wait", "1000", "connect")
    check(code == 7 and "break MQTT-6.0.0-1" in err and "closed with 1003" in err, f"text frame: exit {code}, {err!r}")
    code, out, err = craft("--send", base + "/close", "--delay", "300", "--wait", "1000", "connect", "+", "pingreq")
    check(code == 4 and "after packet 1 CONNECT" in err and "WebSocket close 4000 'craft close'" in err,
          f"close frame: exit {code}, {err!r}")
    code, out, err = craft("--send", base + "/noproto", "--wait", "500", "connect")
    check(code == 0 and "warning: the 101 answer selects no subprotocol (MQTT-6.0.0-4" in err and
          "CONNACK return_code=0" in out, f"no subprotocol: exit {code}, stdout {out!r}, stderr {err!r}")
    code, out, err = craft("--send", f"ws://127.0.0.1:{plain_port}/mqtt", "--wait", "500", "connect")
    check(code == 7 and "without answering the WebSocket upgrade request" in err, f"plain port: exit {code}, {err!r}")
    code, out, err = craft("--send", f"ws://127.0.0.1:{ws_port}", "--ws-frame", "0", "connect")
    check(code == 2, f"--ws-frame 0: exit {code}, {err!r}")


def wss_tests(tmp, wss_port, ca):
    url = f"wss://localhost:{wss_port}/mqtt"
    code, out, err = craft("--send", url, "--cafile", ca, "--ws-frame", "5", "--json", "--delay", "200",
                           "--wait", "500", *SESSION)
    check_session("wss session", code, out, err, "TLS+WebSocket")
    check("ALPN http/1.1" in err and "verified for localhost" in err, f"wss session: stderr {err!r}")
    code, out, err = craft("--send", url, "connect")
    check(code == 6 and "not trusted" in err and "--cafile" in err, f"wss without --cafile: exit {code}, {err!r}")

    # The key log decrypts a capture of wss: the dissector finds WebSocket inside TLS.
    keys, pcap = os.path.join(tmp, "wss-keys.txt"), os.path.join(tmp, "wss.pcap")
    capture = peers.Capture(wss_port, pcap)
    try:
        code, out, err = craft("--send", url, "--cafile", ca, "--tls-keylog", keys, "--delay", "100", "--wait", "300",
                               "connect", "--client-id", "wss-keylog", "+", "disconnect")
    finally:
        capture.stop()
    r = subprocess.run([DISSECT, "--tls-port", str(wss_port), "--ws-port", str(wss_port), "--tls-keylog", keys, pcap],
                       capture_output=True, text=True, timeout=30)
    check(code == 0 and 'CONNECT client_id="wss-keylog"' in r.stdout and "[TLS+WebSocket]" in r.stdout,
          f"wss key log: exit {code}; mqtt-dissect stdout {r.stdout[-1500:]!r} stderr {r.stderr[-500:]!r}")


def main():
    global CRAFT, DISSECT
    if len(sys.argv) != 3:
        print("usage: send_ws_test.py PATH/TO/mqtt-craft PATH/TO/mqtt-dissect")
        return 1
    CRAFT, DISSECT = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        broker = node = None
        try:
            certs = peers.make_certs(tmp)
            plain_port, ws_port, wss_port = peers.free_port(), peers.free_port(), peers.free_port()
            broker = peers.start_mosquitto(tmp, [(plain_port, [])])
            node = peers.NodePeer(tmp, ws_port, plain_port, wss_port, certs)
            ws_tests(tmp, node, ws_port, plain_port)
            wss_tests(tmp, wss_port, certs["ca.pem"])
        except peers.PeerError as e:
            print(f"FAIL: {e}")
            return 1
        finally:
            if node:
                node.stop()
            peers.stop(broker)
    return verdict("ok: ws:// and wss:// sessions, --ws-frame on the wire, refused and broken upgrades, close and text frames")


if __name__ == "__main__":
    sys.exit(main())
