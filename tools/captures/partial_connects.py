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
import sys

from pcapgen import SERVER, PcapFile, client, tcp_frame


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "wb") as out:
        pcap = PcapFile(out)
        for i in range(count):
            address, port = client(i)
            pcap.write(tcp_frame(address, SERVER, port, 1883, 1000, 0, 0x02, b""))
            pcap.write(tcp_frame(address, SERVER, port, 1883, 1001, 0, 0x18, b"\x10\x0c\x00"))


if __name__ == "__main__":
    main()
