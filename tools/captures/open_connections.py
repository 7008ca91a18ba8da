#!/usr/bin/python3
"""A synthetic capture of N MQTT connections that stay open, for tools/bench-connections.sh.

usage: open_connections.py N OUT.pcap

Each connection, from its own client address (10.x.y.z) to 10.255.0.1:1883: SYN, SYN-ACK,
CONNECT (client id "cN", keep alive 60) and CONNACK 0 (frames from pcapgen.py).
None of them ends, so a dissector holds the state of all N at the end: the capture measures
memory per open connection, which real captures of many idle IoT clients need.
"""
import struct
import sys

from pcapgen import tcp_frame


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 0

        def write(data):
            nonlocal t
            t += 1
            out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(data), len(data)))
            out.write(data)

        server = bytes([10, 255, 0, 1])
        for i in range(count):
            client = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            port = 10000 + i % 50000
            cid = f"c{i}".encode()
            body = b"\0\x04MQTT\x04\x02\x00\x3c" + struct.pack("!H", len(cid)) + cid
            connect = bytes([0x10, len(body)]) + body
            write(tcp_frame(client, server, port, 1883, 1000, 0, 0x02, b""))
            write(tcp_frame(server, client, 1883, port, 5000, 1001, 0x12, b""))
            write(tcp_frame(client, server, port, 1883, 1001, 5001, 0x18, connect))
            write(tcp_frame(server, client, 1883, port, 5001, 1001 + len(connect), 0x18, b"\x20\x02\x00\x00"))


if __name__ == "__main__":
    main()
