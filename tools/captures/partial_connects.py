#!/usr/bin/python3
"""A synthetic capture of N connections that each hold a SYN and a 3-byte partial CONNECT, for
tools/bench-memory.sh.

usage: partial_connects.py N OUT.pcap

Each connection, from its own client address (10.x.y.z) to 10.255.0.1:1883: a SYN, then one
segment carrying the first 3 bytes of a CONNECT (0x10, Remaining Length 12, the first byte of
the protocol name's length). None of them goes further or ends, so a dissector holds all N at the
end: the capture measures what an idle connection costs, as many half-open clients (or a SYN
flood with a byte of data) would make it.
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
            write(tcp_frame(client, server, port, 1883, 1000, 0, 0x02, b""))
            write(tcp_frame(client, server, port, 1883, 1001, 0, 0x18, b"\x10\x0c\x00"))


if __name__ == "__main__":
    main()
