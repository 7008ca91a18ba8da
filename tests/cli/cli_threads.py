#!/usr/bin/python3
"""--threads 2 (the default: output formatted on a second thread) prints exactly what --threads 1
prints: the same stdout and stderr, byte for byte, and the same exit status.

usage: cli_threads.py MQTT_DISSECT

Every committed capture in several output modes and filters, plus each capture cut short in the
middle (the damage message must come after everything decoded before it); large-payload.pcap has
packets of 300 KB. A generated capture of large packets (400 KB to 1.5 MB, and small ones between
them): a packet that finds too little room left in a batch's arena (about 1 MiB), or is larger
than the whole arena, goes to a block of its own. And a generated capture of 140,000 packets on
four interleaved connections (about 8 MB), so that the print thread's batches (16,384 records,
each a run of the packets of a capture record, or three held read-ahead blocks of 512 KiB) are
handed over and recycled many times, and the eight read-ahead blocks are read into again while
batches hold some of them: mostly plain QoS 0 PUBLISH (the capture thread's short way), some
with text to escape, QoS 1 with PUBACK, a packet cut across two records (copied, not held), a
malformed one now and then (it ends a run), and a DISCONNECT with data after it; and one of
2,500 connections left open, whose ends fill more than one batch's events. Each capture cut
short hands the file to libpcap while batches still hold blocks.
"""
import glob
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "captures"))
from pcapgen import tcp_frame  # noqa: E402


def mqtt(first, body):
    """A packet: fixed header (shortest Remaining Length) and body."""
    n, length = len(body), b""
    while True:
        b = n & 0x7F
        n >>= 7
        length += bytes([b | (0x80 if n else 0)])
        if not n:
            return bytes([first]) + length + body


def publish(topic, payload, packet_id=None):
    body = struct.pack("!H", len(topic)) + topic
    if packet_id is not None:
        body += struct.pack("!H", packet_id)
    return mqtt(0x32 if packet_id is not None else 0x30, body + payload)


def many_packets_capture(connections=4, records=3500, per_record=10):
    """Connections taking turns, each record carrying `per_record` packets."""
    SYN, ACK, PSH = 0x02, 0x10, 0x08
    frames = []
    state = []
    for k in range(connections):
        client, server = bytes([10, 0, 0, 10 + k]), bytes([10, 0, 0, 1])
        sport, c, s = 40000 + k, 1000, 5000
        frames += [tcp_frame(client, server, sport, 1883, c, 0, SYN),
                   tcp_frame(server, client, 1883, sport, s, c + 1, SYN | ACK),
                   tcp_frame(client, server, sport, 1883, c + 1, s + 1, ACK)]
        connect = mqtt(0x10, b"\x00\x04MQTT\x04\x02\x00\x3c" + struct.pack("!H", 2) + b"c%d" % k)
        frames.append(tcp_frame(client, server, sport, 1883, c + 1, s + 1, PSH | ACK, connect))
        frames.append(tcp_frame(server, client, 1883, sport, s + 1, c + 1 + len(connect), PSH | ACK,
                                mqtt(0x20, b"\x00\x00")))
        state.append([client, server, sport, c + 1 + len(connect), s + 5, b""])
    packet_id = 0
    for r in range(records):
        for k in range(connections):
            client, server, sport, c, s, carry = state[k]
            payload, acks = carry, b""
            for i in range(per_record):
                n = r * per_record + i
                if n % 97 == 0:
                    packet_id = packet_id % 65535 + 1
                    payload += publish(b"q1/%d" % k, b"reading %d" % n, packet_id)
                    acks += mqtt(0x40, struct.pack("!H", packet_id))
                elif n % 89 == 0:
                    payload += publish(b"odd/\"%d\"" % k, b"tab\there \xc3\xa9 %d" % n)
                elif n % 1009 == 0:
                    payload += mqtt(0x30, b"\x00\x05a/b")  # topic longer than the packet
                else:
                    payload += publish(b"sensors/%d/t" % k, b"sensor-%d reading %d" % (k, n))
            if r == records - 1 and k == 0:
                payload += mqtt(0xE0, b"") + publish(b"late", b"after DISCONNECT")
            # The last packet's last 3 bytes go with the next record: a packet cut across two.
            send, state[k][5] = (payload, b"") if r == records - 1 else (payload[:-3], payload[-3:])
            frames.append(tcp_frame(client, server, sport, 1883, c, s, PSH | ACK, send))
            c += len(send)
            if acks:
                frames.append(tcp_frame(server, client, 1883, sport, s, c, PSH | ACK, acks))
                s += len(acks)
            state[k][3], state[k][4] = c, s
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    return header + b"".join(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(f), len(f)) + f
                             for i, f in enumerate(frames))


def large_packets_capture():
    """One connection carrying packets of 400 KB to 1.5 MB with small ones between, in frames of
    at most 60,000 bytes."""
    SYN, ACK, PSH = 0x02, 0x10, 0x08
    client, server, sport, c, s = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]), 41000, 1000, 5000
    frames = [tcp_frame(client, server, sport, 1883, c, 0, SYN),
              tcp_frame(server, client, 1883, sport, s, c + 1, SYN | ACK),
              tcp_frame(client, server, sport, 1883, c + 1, s + 1, ACK)]
    stream = mqtt(0x10, b"\x00\x04MQTT\x04\x02\x00\x3c\x00\x03big")
    for i, size in enumerate([400_000, 400_000, 400_000, 1_500_000, 400_000, 900_000]):
        stream += publish(b"large/%d" % i, bytes([0x41 + i]) * size)
        stream += publish(b"small/%d" % i, b"between")
    c += 1
    for at in range(0, len(stream), 60_000):
        part = stream[at:at + 60_000]
        frames.append(tcp_frame(client, server, sport, 1883, c, s + 1, PSH | ACK, part))
        c += len(part)
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    return header + b"".join(struct.pack("<IIII", 1700000000, i, len(f), len(f)) + f
                             for i, f in enumerate(frames))


MODES = [
    [],
    ["--json"],
    ["-V", "-x"],
    ["--json", "-x", "--payload-max", "0"],
    ["--stats"],
    ["--json", "--stats"],
    ["--errors-only"],
    ["--type", "PUBLISH,SUBACK", "--color", "always"],
    ["--topic", "#", "--strict"],
]


def run(binary, args):
    proc = subprocess.run([binary] + args, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    binary = sys.argv[1]
    if len(os.sched_getaffinity(0)) < 2:
        # mqtt-dissect uses one thread on one CPU whatever --threads says: nothing to compare.
        print("SKIPPED: one CPU available, so --threads 2 runs on one thread")
        return 77
    captures = sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*")))
    if not captures:
        print("no captures found under corpus/captures")
        return 1
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        many = os.path.join(tmp, "many-packets.pcap")
        with open(many, "wb") as f:
            f.write(many_packets_capture())
        captures.append(many)
        large = os.path.join(tmp, "large-packets.pcap")
        with open(large, "wb") as f:
            f.write(large_packets_capture())
        captures.append(large)
        # 2,500 connections left open: at the end one event each, more than a batch holds.
        held_open = os.path.join(tmp, "open-connections.pcap")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "captures", "open_connections.py"), "2500",
                        held_open], check=True, timeout=120)
        captures.append(held_open)
        inputs = list(captures)
        for path in captures:
            data = open(path, "rb").read()
            cut = os.path.join(tmp, "cut-" + os.path.basename(path))
            with open(cut, "wb") as f:
                f.write(data[: len(data) * 2 // 3])
            inputs.append(cut)
        for path in inputs:
            for mode in MODES:
                one = run(binary, ["--threads", "1"] + mode + [path])
                two = run(binary, ["--threads", "2"] + mode + [path])
                checked += 1
                if one != two:
                    failures += 1
                    what = [name for name, a, b in zip(("exit", "stdout", "stderr"), one, two) if a != b]
                    print(f"DIFFERENT {' '.join(what)}: {os.path.basename(path)} {' '.join(mode)}")
                elif not one[1] and not {"--errors-only", "--type", "--topic"} & set(mode):
                    failures += 1
                    print(f"NO OUTPUT: {os.path.basename(path)} {' '.join(mode)}")
    print(f"{checked} runs compared, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
