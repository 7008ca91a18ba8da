#!/usr/bin/python3
"""mqtt-craft --out pcap with --ws / --ws-frame N read back by mqtt-dissect's WebSocket layer: the
capture opens with the HTTP upgrade (port 8080 unless --port), every packet comes back whole, from
its side, marked WebSocket, with no finding and the upgrade and the two closes as notes; and the
frames themselves, walked here: client frames masked, server frames not, at most N payload bytes
each, one message per packet, its bytes those of the packet.

usage: pcap_ws_test.py MQTT_CRAFT MQTT_DISSECT
"""
import json
import os
import subprocess
import sys
import tempfile

import peers

craft, dissect = sys.argv[1], sys.argv[2]

SESSION = ("connect --client-id demo + connack + subscribe --filter demo/#:1 --packet-id 1"
           " + suback --packet-id 1 --return-code 1 + publish --topic demo/t --payload-size 300 --qos 1"
           " --packet-id 2 + puback --packet-id 2 --from-server + pingreq + pingresp"
           " + unsubscribe --filter demo/# --packet-id 3 + unsuback --packet-id 3 + disconnect").split()
EXPECTED = [("CONNECT", "c2s"), ("CONNACK", "s2c"), ("SUBSCRIBE", "c2s"), ("SUBACK", "s2c"),
            ("PUBLISH", "c2s"), ("PUBACK", "s2c"), ("PINGREQ", "c2s"), ("PINGRESP", "s2c"),
            ("UNSUBSCRIBE", "c2s"), ("UNSUBACK", "s2c"), ("DISCONNECT", "c2s")]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


# The packets' own bytes, one hex line each, in order.
hex_lines = subprocess.run([craft, "-q", "--out", "hex", *SESSION], capture_output=True, text=True, timeout=30,
                           check=True).stdout.splitlines()
PACKETS = [bytes.fromhex(line) for line in hex_lines]


def run(layout, port=8080, frame=None):
    name = " ".join(layout)
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "ws.pcap")
        r = subprocess.run([craft, "-q", "--out", "pcap", "-o", pcap, *layout, *SESSION], capture_output=True,
                           text=True, timeout=30)
        if r.returncode != 0:
            return fail(f"{name}: mqtt-craft exit {r.returncode}: {r.stderr}")
        out = subprocess.run([dissect, "--json", "--strict", pcap], capture_output=True, text=True, timeout=30)
        segments = peers.read_pcap(pcap)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    packets = [p for p in lines if "type" in p]
    events = [e for e in lines if "event" in e]

    got = [(p["type"], p["direction"]) for p in packets]
    if got != EXPECTED:
        fail(f"{name}: packets {got}")
    if out.returncode != 0:
        fail(f"{name}: --strict exit {out.returncode}: {out.stderr}")
    for p in packets:
        if p["errors"] or p["warnings"] or p.get("transport") != "WebSocket":
            fail(f"{name}: finding or transport in {p}")
    notes = [e.get("message", e["event"]) for e in events]
    if not (notes and notes[0].startswith("WebSocket GET /mqtt (Host 192.0.2.2:%d) upgraded, subprotocol mqtt" % port)
            and notes.count("close 1000 (normal closure)") == 2 and events[-1]["event"] == "connection_end"):
        fail(f"{name}: events {notes}")

    for side, key in (("c2s", "dst_port"), ("s2c", "src_port")):
        stream = peers.tcp_stream(segments, **{key: port})
        frames = peers.ws_frames(stream)
        if not frames:
            fail(f"{name} {side}: no frames")
            continue
        masked = {f[2] for f in frames}
        if masked != {side == "c2s"}:
            fail(f"{name} {side}: masked flags {masked}")
        if frame and any(f[3] > frame for f in frames if f[1] in (0, 2)):
            fail(f"{name} {side}: a frame over {frame} bytes: {[f[3] for f in frames]}")
        want = [b for b, (_, d) in zip(PACKETS, EXPECTED) if d == side]
        if peers.ws_messages(frames) != want:
            fail(f"{name} {side}: messages {[m.hex() for m in peers.ws_messages(frames)]} want {[w.hex() for w in want]}")
        if frames[-1][1] != 8:
            fail(f"{name} {side}: last frame opcode {frames[-1][1]}, not a close")


run(["--ws"])
run(["--ws-frame", "1"], frame=1)
run(["--ws-frame", "3"], frame=3)
run(["--ws-frame", "3", "--segment", "1"], frame=3)          # frames and packets split across segments
run(["--ws-frame", "7", "--segment", "5", "--ip-fragment", "8"], frame=7)
run(["--ws-frame", "100", "--port", "9001"], port=9001, frame=100)

# The same command writes the same capture (fixed masks and key).
a = subprocess.run([craft, "-q", "--out", "pcap", "--ws-frame", "3", *SESSION], capture_output=True, timeout=30).stdout
b = subprocess.run([craft, "-q", "--out", "pcap", "--ws-frame", "3", *SESSION], capture_output=True, timeout=30).stdout
if a != b or not a:
    fail("--ws-frame 3: two runs wrote different captures")

print("ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
