#!/usr/bin/python3
"""A synthetic capture of PINGREQs spread over a few connections, for tools/bench-memory.sh.

usage: pings.py CONNECTIONS PINGS OUT.pcap

Each connection, from its own client address (10.x.y.z) to 10.255.0.1:1883, opens with SYN,
SYN-ACK, CONNECT (client id "cN", keep alive 60) and CONNACK 0; then PINGS PINGREQs (one a
segment, no answer) go round the connections in turn. Nothing ends. The capture measures the
cost of the smallest packet: per record, not per byte.
"""
import sys

from pcapgen import SERVER, PcapFile, open_mqtt, tcp_frame


def main():
    connections, pings, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(path, "wb") as out:
        pcap = PcapFile(out)
        clients = [open_mqtt(pcap, i) for i in range(connections)]
        for n in range(pings):
            address, port, seq = clients[n % connections]
            seq += 2 * (n // connections)
            pcap.write(tcp_frame(address, SERVER, port, 1883, seq & 0xFFFFFFFF, 5005, 0x18, b"\xc0\x00"))


if __name__ == "__main__":
    main()
