#!/usr/bin/python3
"""mqtt-craft --out pcap read back by mqtt-dissect: the same packets, each from its side, in one
TCP conversation, with no decode or stream finding for a valid session and the intended finding
for a broken one.

usage: pcap_dissect_test.py MQTT_CRAFT MQTT_DISSECT
"""
import json
import subprocess
import sys
import tempfile

craft, dissect = sys.argv[1], sys.argv[2]

SESSION = ("connect --client-id demo + connack + subscribe --filter demo/#:1 --packet-id 1"
           " + suback --packet-id 1 --return-code 1 + publish --topic demo/t --payload hello --qos 1"
           " --packet-id 2 + puback --packet-id 2 --from-server + pingreq + pingresp"
           " + unsubscribe --filter demo/# --packet-id 3 + unsuback --packet-id 3 + disconnect")
EXPECTED = [("CONNECT", "c2s"), ("CONNACK", "s2c"), ("SUBSCRIBE", "c2s"), ("SUBACK", "s2c"),
            ("PUBLISH", "c2s"), ("PUBACK", "s2c"), ("PINGREQ", "c2s"), ("PINGRESP", "s2c"),
            ("UNSUBSCRIBE", "c2s"), ("UNSUBACK", "s2c"), ("DISCONNECT", "c2s")]
failures = []


def dissect_json(args, layout=()):
    with tempfile.NamedTemporaryFile(suffix=".pcap") as pcap:
        subprocess.run([craft, "-q", "--out", "pcap", "-o", pcap.name, *layout, *args], check=True, timeout=30)
        out = subprocess.run([dissect, "--json", "--strict", pcap.name], capture_output=True,
                             text=True, timeout=30)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    return out.returncode, [p for p in lines if "type" in p], [e for e in lines if "event" in e]


status, packets, events = dissect_json(SESSION.split())
got = [(p["type"], p["direction"]) for p in packets]
if got != EXPECTED:
    failures.append(f"valid session: got {got}")
if status != 0:
    failures.append(f"valid session: --strict exit {status}, want 0")
for p in packets:
    if p["errors"] or p["warnings"] or p["stream"] != 0:
        failures.append(f"valid session: unexpected finding or stream in {p}")
if [e["event"] for e in events] != ["connection_end"]:
    failures.append(f"valid session: events {events}")

# The same session one byte per TCP segment (every Remaining Length split across segments), and in
# 3-byte segments each cut into IP fragments of 8 bytes: the same packets, nothing found.
for layout in (["--segment", "1"], ["--segment", "3", "--ip-fragment", "8"]):
    status, packets, events = dissect_json(SESSION.split(), layout)
    got = [(p["type"], p["direction"]) for p in packets]
    findings = [p for p in packets if p["errors"] or p["warnings"]]
    if got != EXPECTED or status != 0 or findings or [e["event"] for e in events] != ["connection_end"]:
        failures.append(f"{' '.join(layout)}: got {got}, exit {status}, findings {findings}, events {events}")

# The same PUBACK from the client answers nothing: the stream check says so, --strict exits 1.
status, packets, _ = dissect_json(SESSION.replace(" --from-server", "").split())
rules = [e["rule"] for p in packets if p["type"] == "PUBACK" for e in p["errors"]]
if rules != ["MQTT-2.3.1-6"] or status != 1:
    failures.append(f"client PUBACK: rules {rules}, exit {status}")

# A broken packet keeps its bytes: a wildcard topic comes back with its rule IDs.
status, packets, _ = dissect_json("connect --client-id x + publish --topic a/# --payload p".split())
rules = sorted(e["rule"] for e in packets[-1]["errors"]) if packets else []
if rules != ["MQTT-3.3.2-2", "MQTT-4.7.1-1"] or packets[-1].get("topic") != "a/#":
    failures.append(f"wildcard publish: {packets}")

for f in failures:
    print("FAIL:", f)
print("ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
