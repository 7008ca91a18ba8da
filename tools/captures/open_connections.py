#!/usr/bin/python3
"""A synthetic capture of N MQTT connections that stay open, for tools/bench-connections.sh.

usage: open_connections.py N OUT.pcap

Each connection, from its own client address (10.x.y.z) to 10.255.0.1:1883: SYN, SYN-ACK,
CONNECT (client id "cN", keep alive 60) and CONNACK 0 (frames from pcapgen.py).
None of them ends, so a dissector holds the state of all N at the end: the capture measures
memory per open connection, which real captures of many idle IoT clients need.
"""
import sys

from pcapgen import PcapFile, open_mqtt


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "wb") as out:
        pcap = PcapFile(out)
        for i in range(count):
            open_mqtt(pcap, i)


if __name__ == "__main__":
    main()
