#!/usr/bin/python3
"""-f BPF on a capture file: the filter drops records, not frame numbers.

usage: cli_bpf_file.py MQTT_DISSECT

On every committed capture, `-f "tcp dst port P"` (P the MQTT port of the capture) must print
exactly the client-to-server packets of the unfiltered run, with the same frame numbers, offsets
and types; a filter that does not compile is exit 2 with libpcap's reason; -f with byte input is
a usage error.
"""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def packets(binary, args):
    proc = subprocess.run([binary, "--json"] + args, capture_output=True, timeout=60)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    out = []
    for line in proc.stdout.decode().splitlines():
        obj = json.loads(line)
        if "type" in obj:
            out.append(obj)
    return out


def main():
    binary = sys.argv[1]
    failures = 0
    checked = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*"))):
        name = os.path.basename(path)
        port = 18830 if "18830" in name else 1883
        every = packets(binary, [path])
        c2s = [(p["frame"], p["offset"], p["type"]) for p in every
               if p.get("direction") == "c2s" and p["dst"].endswith(f":{port}")]
        filtered = packets(binary, ["-f", f"tcp dst port {port}", path])
        got = [(p["frame"], p["offset"], p["type"]) for p in filtered]
        checked += 1
        if got != c2s or not c2s:
            failures += 1
            print(f"{name}: -f kept {len(got)} packets, expected the {len(c2s)} sent to port {port}")
    bad = subprocess.run([binary, "-f", "tcp port 1883 and", os.path.join(ROOT, "corpus", "captures", "demo.pcap")],
                         capture_output=True, timeout=60)
    if bad.returncode != 2 or b"invalid filter" not in bad.stderr or bad.stdout:
        failures += 1
        print(f"invalid filter: exit {bad.returncode}, stderr {bad.stderr!r}, {len(bad.stdout)} bytes out")
    usage = subprocess.run([binary, "-f", "tcp", "--hex", "c0 00"], capture_output=True, timeout=60)
    if usage.returncode != 2 or b"needs a capture input" not in usage.stderr:
        failures += 1
        print(f"-f with --hex: exit {usage.returncode}, stderr {usage.stderr!r}")
    print(f"{checked} captures filtered, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
