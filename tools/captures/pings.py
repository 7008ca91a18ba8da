#!/usr/bin/python3
"""A synthetic capture of PINGREQs spread over a few connections, for tools/bench-memory.sh.

usage: pings.py CONNECTIONS PINGS OUT.pcap

Each connection, from its own client address (10.x.y.z) to 10.255.0.1:1883, opens with SYN,
SYN-ACK, CONNECT (client id "cN", keep alive 60) and CONNACK 0; then PINGS PINGREQs (one a
segment, no answer) go round the connections in turn. Nothing ends. The capture measures the
cost of the smallest packet: per record, not per byte.
"""
import struct
import sys

from pcapgen import tcp_frame


def main():
    connections, pings, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 0

        def write(data):
            nonlocal t
            t += 1
            out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(data), len(data)))
            out.write(data)

        server = bytes([10, 255, 0, 1])
        clients = []
        for i in range(connections):
            client = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            port = 10000 + i % 50000
            cid = f"c{i}".encode()
            body = b"\0\x04MQTT\x04\x02\x00\x3c" + struct.pack("!H", len(cid)) + cid
            connect = bytes([0x10, len(body)]) + body
            write(tcp_frame(client, server, port, 1883, 1000, 0, 0x02, b""))
            write(tcp_frame(server, client, 1883, port, 5000, 1001, 0x12, b""))
            write(tcp_frame(client, server, port, 1883, 1001, 5001, 0x18, connect))
            write(tcp_frame(server, client, 1883, port, 5001, 1001 + len(connect), 0x18, b"\x20\x02\x00\x00"))
            clients.append((client, port, 1001 + len(connect)))
        for n in range(pings):
            client, port, seq = clients[n % connections]
            seq += 2 * (n // connections)
            write(tcp_frame(client, server, port, 1883, seq & 0xFFFFFFFF, 5005, 0x18, b"\xc0\x00"))


if __name__ == "__main__":
    main()
