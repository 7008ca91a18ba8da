#!/usr/bin/python3
"""The capture counts of `--json --stats` agree with what was printed and with capinfos.

usage: cli_stats_json.py MQTT_DISSECT

For every committed capture (and the IP-fragment seed of fuzz_pcap): the last line is
{"capture":{...},"stats":{...}}; capture.mqtt_packets and stats.packets.total.packets equal the
number of packet lines printed; capture.records equals capinfos' record count (a real peer); the
fragment capture reports its two reassembled datagrams.
"""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def capinfos_records(path):
    out = subprocess.run(["capinfos", "-M", "-c", "-T", path], capture_output=True, text=True, timeout=60)
    return int(out.stdout.strip().splitlines()[-1].split("\t")[1])


def main():
    binary = sys.argv[1]
    inputs = sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*")))
    fragments = os.path.join(ROOT, "corpus", "fuzz", "fuzz_pcap", "found.ip-fragments")
    inputs.append(fragments)
    failures = 0
    for path in inputs:
        name = os.path.basename(path)
        proc = subprocess.run([binary, "--json", "--stats", path], capture_output=True, text=True, timeout=60)
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        packets = sum(1 for obj in lines if "type" in obj)
        last = lines[-1] if lines else {}
        capture = last.get("capture", {})
        problems = []
        if set(last) != {"capture", "stats"}:
            problems.append(f"last line has keys {sorted(last)}")
        elif capture.get("mqtt_packets") != packets or last["stats"]["packets"]["total"]["packets"] != packets:
            problems.append(f"{packets} packets printed, capture says {capture.get('mqtt_packets')}")
        if capture.get("records") != capinfos_records(path):
            problems.append(f"records {capture.get('records')}, capinfos {capinfos_records(path)}")
        if path == fragments and (capture.get("ip_reassembled") != 2 or capture.get("ip_fragments") != 8):
            problems.append(f"fragments {capture.get('ip_fragments')}, reassembled {capture.get('ip_reassembled')}")
        for p in problems:
            print(f"{name}: {p}")
        failures += bool(problems)
    print(f"{len(inputs)} captures, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
