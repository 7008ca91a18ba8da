#!/usr/bin/python3
"""Count MQTT packets per type in captures, independently of any MQTT dissector.

tshark only lists each TCP segment's stream, port, relative sequence number and payload; this
script puts each direction back in order and walks the fixed headers itself (type nibble and
Remaining Length), so its counts do not inherit tshark's MQTT framing bugs.

  count_packets.py CAPTURE...            one line per capture: name, total, TYPE=n..., framing=n
  count_packets.py --check EXPECTED CAPTURE...   compare with lines written earlier; exit 1 on a difference
"""
import argparse
import collections
import os
import subprocess
import sys

NAMES = ["RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
         "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
         "RESERVED"]
ORDER = NAMES[1:15] + ["RESERVED"]


def directions(capture):
    """{(stream, src port): bytes} with each direction's payload in sequence order."""
    cmd = ["tshark", "-r", capture, "-n", "-Y", "tcp.len > 0", "-T", "fields",
           "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.seq", "-e", "tcp.payload"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600).stdout
    segments = collections.defaultdict(dict)
    for line in out.splitlines():
        stream, port, seq, payload = line.split("\t")
        segments[(int(stream), int(port))][int(seq)] = bytes.fromhex(payload.replace(":", ""))
    joined = {}
    for key, segs in segments.items():
        data, next_seq = bytearray(), min(segs)
        for seq in sorted(segs):
            chunk = segs[seq]
            if seq + len(chunk) <= next_seq:
                continue  # retransmission
            if seq > next_seq:
                break  # gap: stop this direction here
            data += chunk[next_seq - seq:]
            next_seq = seq + len(chunk)
        joined[key] = bytes(data)
    return joined


def frame(data):
    """Walk fixed headers: (Counter of types, number of framing failures)."""
    counts, i = collections.Counter(), 0
    while i < len(data):
        kind, length, shift, j = data[i] >> 4, 0, 0, i + 1
        while True:
            if j >= len(data) or j - i > 4:
                return counts, 1  # length cut short, or a 5th length byte
            length |= (data[j] & 0x7F) << shift
            shift += 7
            j += 1
            if not data[j - 1] & 0x80:
                break
        if j + length > len(data):
            return counts, 1  # the stream ends inside the packet
        counts[NAMES[kind]] += 1
        i = j + length
    return counts, 0


def summary(capture):
    total, failures = collections.Counter(), 0
    for data in directions(capture).values():
        counts, failed = frame(data)
        total += counts
        failures += failed
    fields = " ".join(f"{t}={total[t]}" for t in ORDER if total[t])
    return f"{os.path.basename(capture)} {sum(total.values())} {fields} framing={failures}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", metavar="EXPECTED")
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()
    expected = {}
    if args.check:
        with open(args.check) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    expected[line.split()[0]] = line.strip()
    bad = 0
    for cap in args.captures:
        line = summary(cap)
        want = expected.get(os.path.basename(cap))
        if args.check and want != line:
            print(f"DIFFERS {line}\n   want {want}")
            bad += 1
        else:
            print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
