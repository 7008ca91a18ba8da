#!/usr/bin/python3
"""The engine's short way for the usual packet (a QoS 0 PUBLISH that breaks no rule, taken without a
Packet: engine::Conversation::observe_clean_publish, EngineOptions::build_clean_publish) prints what
the full decode and check print. --stats turns the short way off, so the packet lines of `FILE`
must be exactly the start of those of `--stats FILE`, and the exit status the same, for every
committed capture and two generated ones (cli_threads.py's 60,000 packets, and one where each
case the short way must decline happens inside a run of packets of one record).

usage: cli_plain_lane.py MQTT_DISSECT
"""
import glob
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_threads import ROOT, many_packets_capture, mqtt, publish, run, tcp_frame  # noqa: E402

SYN, ACK, PSH = 0x02, 0x10, 0x08


def runs(n, topic=b"t/x"):
    return b"".join(publish(topic, b"v%d" % i) for i in range(n))


def lane_cases_capture():
    """Connections whose runs of plain PUBLISH meet each case observe() reports on."""
    frames, t = [], [0]

    def conversation(k, client_port, server_port, syn, talk):
        client, server = bytes([10, 0, 1, 10 + k]), bytes([10, 0, 1, 1])
        c, s = 1000, 5000
        if syn:
            frames.append((t[0], tcp_frame(client, server, client_port, server_port, c, 0, SYN)))
            frames.append((t[0], tcp_frame(server, client, server_port, client_port, s, c + 1, SYN | ACK)))
            frames.append((t[0], tcp_frame(client, server, client_port, server_port, c + 1, s + 1, ACK)))
        c, s = c + 1, s + 1
        for delay, from_client, payload in talk:
            t[0] += delay
            if from_client:
                frames.append((t[0], tcp_frame(client, server, client_port, server_port, c, s, PSH | ACK, payload)))
                c += len(payload)
            else:
                frames.append((t[0], tcp_frame(server, client, server_port, client_port, s, c, PSH | ACK, payload)))
                s += len(payload)

    connect = mqtt(0x10, b"\x00\x04MQTT\x04\x02\x00\x0a\x00\x01k")  # keep alive 10 s
    ok, refused = mqtt(0x20, b"\x00\x00"), mqtt(0x20, b"\x00\x05")
    # Keep alive exceeded (15 s > 1.5 x 10 s) on the first of a run, then fine along it.
    conversation(0, 40000, 1883, True, [(0, True, connect), (0, False, ok), (1, True, runs(5)),
                                        (16_000_000, True, runs(5)), (1, True, runs(3) + mqtt(0xE0, b"") + runs(3))])
    # A refused CONNACK, then the server publishes anyway: every packet of the run is reported.
    conversation(1, 40001, 1883, True, [(0, True, connect), (0, False, refused), (1, False, runs(6))])
    # Runs before the CONNACK, and the server's first packet not a CONNACK.
    conversation(2, 40002, 1883, True, [(0, True, connect + runs(4)), (1, False, runs(4)), (1, False, ok)])
    # No SYN, both ports 1883: the direction stays unknown until a CONNECT names the client.
    conversation(3, 1883, 1883, False, [(0, True, runs(5)), (1, False, runs(5)), (1, True, connect + runs(5))])
    # The capture starts inside a connection (no SYN): the first-packet rules are off.
    conversation(4, 40004, 1883, False, [(0, True, runs(5)), (1, False, runs(5) + mqtt(0x40, b"\x00\x07"))])
    # MQTT 3.1 and MQTT 5.0 connections.
    v31 = mqtt(0x10, b"\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x01m")
    v5 = mqtt(0x10, b"\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x01n")
    conversation(5, 40005, 1883, True, [(0, True, v31), (0, False, ok), (1, True, runs(6))])
    conversation(6, 40006, 1883, True, [(0, True, v5), (0, False, mqtt(0x20, b"\x00\x00\x00")), (1, True, runs(6))])
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    return header + b"".join(struct.pack("<IIII", 1700000000 + us // 1_000_000, us % 1_000_000, len(f), len(f)) + f
                             for us, f in frames)


def main():
    binary = sys.argv[1]
    failures = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        captures = sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*")))
        for name, data in (("many-packets.pcap", many_packets_capture()), ("lane-cases.pcap", lane_cases_capture())):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            captures.append(path)
        for path in captures:
            for mode, tables in (([], b"\nCapture: "), (["--json"], b'{"capture":'), (["--strict"], b"\nCapture: ")):
                lane = run(binary, mode + [path])
                full = run(binary, mode + ["--stats", path])
                checked += 1
                rest = full[1][len(lane[1]):]
                if lane[0] != full[0] or not full[1].startswith(lane[1]) or not rest.startswith(tables):
                    failures += 1
                    print(f"DIFFERENT: {os.path.basename(path)} {' '.join(mode)} (exit {lane[0]} / {full[0]})")
                elif not lane[1]:
                    failures += 1
                    print(f"NO OUTPUT: {os.path.basename(path)} {' '.join(mode)}")
        # The generated case capture must really meet the cases it is for.
        out = run(binary, [captures[-1]])[1].decode()
        for code in ("keep_alive_exceeded", "data_after_connack_error", "first_packet_not_connack",
                     "data_after_disconnect", "level=5"):
            if code not in out:
                failures += 1
                print(f"lane-cases.pcap does not show {code}")
    print(f"{checked} captures and modes compared, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
