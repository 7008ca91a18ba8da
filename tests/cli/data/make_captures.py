#!/usr/bin/python3
"""Writes the small captures the capture-mode CLI tests read, next to this script.

Made from corpus/captures/demo.pcap (records dropped, cut or damaged) or built from scratch:
  midstream-gap.pcap   demo.pcap without records 1-5 (handshake, CONNECT, CONNACK) and record 38
                       (the client's DISCONNECT, just before its FIN): the capture starts inside
                       connection 0 and loses the connection's last 2 client bytes
  lost-publish.pcap    demo.pcap without record 27 (the client's PUBLISH "alerts/door/front"):
                       the server ACKs the lost bytes; the PINGREQ and UNSUBSCRIBE after them are
                       answered and must not be reported as unanswered
  truncated.pcap       demo.pcap cut in the middle of record 20's data
  corrupt.pcap         demo.pcap with record 20's captured length set to 16 MiB (above the snaplen)
  ieee802_11.pcap      link type 105 (IEEE 802.11): not supported
  tls-8883.pcap        one TCP connection to port 8883 carrying TLS records (not MQTT)
  unanswered.pcap      CONNECT, CONNACK, SUBSCRIBE (id 7) and PINGREQ, then both sides close:
                       the SUBSCRIBE and the PINGREQ are never answered
  interleaved.pcap     four MQTT connections open at once, for --max-connections: A and B
                       connect, A pings, C and D connect (with 2 allowed: B, then A, are the
                       least recently active), then B publishes again and D disconnects
Run it again after changing it and review the goldens that read these files.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "captures"))
from pcapgen import tcp_frame  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "..", "corpus", "captures", "demo.pcap")


def read_pcap(path):
    data = open(path, "rb").read()
    header, pos, records = data[:24], 24, []
    while pos + 16 <= len(data):
        sec, frac, caplen, length = struct.unpack("<IIII", data[pos:pos + 16])
        records.append((sec, frac, data[pos + 16:pos + 16 + caplen], length))
        pos += 16 + caplen
    return header, records


def record_bytes(sec, frac, payload, length=None):
    return struct.pack("<IIII", sec, frac, len(payload), length or len(payload)) + payload


def write(name, blob):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(blob)


def conversation(sport, dport, exchanges):
    """A whole TCP connection: handshake, `exchanges` as (from_client, payload), FIN both ways."""
    client, server = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 1])
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    c, s = 1000, 5000
    frames = [tcp_frame(client, server, sport, dport, c, 0, SYN),
              tcp_frame(server, client, dport, sport, s, c + 1, SYN | ACK),
              tcp_frame(client, server, sport, dport, c + 1, s + 1, ACK)]
    c, s = c + 1, s + 1
    for from_client, payload in exchanges:
        if from_client:
            frames.append(tcp_frame(client, server, sport, dport, c, s, PSH | ACK, payload))
            c += len(payload)
        else:
            frames.append(tcp_frame(server, client, dport, sport, s, c, PSH | ACK, payload))
            s += len(payload)
    frames += [tcp_frame(client, server, sport, dport, c, s, FIN | ACK),
               tcp_frame(server, client, dport, sport, s, c + 1, FIN | ACK),
               tcp_frame(client, server, sport, dport, c + 1, s + 1, ACK)]
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    return header + b"".join(record_bytes(1700000000, 1000 * i, f) for i, f in enumerate(frames))


def unanswered_capture():
    connect = bytes.fromhex("101000044d5154540402003c000463617431")  # client id "cat1"
    connack = bytes.fromhex("20020000")
    subscribe = bytes.fromhex("820800070003612f2301")  # id 7, "a/#" QoS 1
    pingreq = bytes.fromhex("c000")
    return conversation(50001, 1883, [(True, connect), (False, connack), (True, subscribe),
                                      (True, pingreq)])


class Connection:
    """One client of 192.0.2.1:1883 whose segments the caller interleaves with other clients'."""

    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01

    def __init__(self, n):
        self.client, self.server = bytes([192, 0, 2, 20 + n]), bytes([192, 0, 2, 1])
        self.sport, self.c, self.s = 50010 + n, 1000, 5000

    def frame(self, from_client, flags, payload=b""):
        if from_client:
            return tcp_frame(self.client, self.server, self.sport, 1883, self.c, self.s, flags, payload)
        return tcp_frame(self.server, self.client, 1883, self.sport, self.s, self.c, flags, payload)

    def handshake(self):
        frames = [tcp_frame(self.client, self.server, self.sport, 1883, self.c, 0, self.SYN),
                  tcp_frame(self.server, self.client, 1883, self.sport, self.s, self.c + 1, self.SYN | self.ACK)]
        self.c, self.s = self.c + 1, self.s + 1
        return frames + [self.frame(True, self.ACK)]

    def send(self, from_client, payload):
        frame = self.frame(from_client, self.PSH | self.ACK, payload)
        if from_client:
            self.c += len(payload)
        else:
            self.s += len(payload)
        return [frame]

    def close(self):
        frames = [self.frame(True, self.FIN | self.ACK)]
        self.c += 1
        frames.append(self.frame(False, self.FIN | self.ACK))
        self.s += 1
        return frames + [self.frame(True, self.ACK)]


def interleaved_capture():
    a, b, c, d = (Connection(n) for n in range(4))
    connect = lambda cid: bytes([0x10, 12 + len(cid)]) + bytes.fromhex("00044d5154540402003c") + \
        struct.pack("!H", len(cid)) + cid.encode()  # noqa: E731
    connack = bytes.fromhex("20020000")
    frames = []
    for conn, cid in ((a, "a"), (b, "b")):
        frames += conn.handshake() + conn.send(True, connect(cid)) + conn.send(False, connack)
    frames += a.send(True, bytes.fromhex("c000")) + a.send(False, bytes.fromhex("d000"))
    for conn, cid in ((c, "c"), (d, "d")):
        frames += conn.handshake() + conn.send(True, connect(cid)) + conn.send(False, connack)
    frames += b.send(True, bytes.fromhex("3006000162686921"))  # PUBLISH "b" "hi!"
    frames += d.send(True, bytes.fromhex("e000")) + d.close()
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    return header + b"".join(record_bytes(1700000000, 1000 * i, f) for i, f in enumerate(frames))


def tls_capture():
    client, server = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 1])
    cport, sport = 50000, 8883
    hello = bytes([0x16, 0x03, 0x01, 0x00, 0x2c]) + bytes(range(44))  # a TLS handshake record
    answer = bytes([0x16, 0x03, 0x03, 0x00, 0x3a]) + bytes(range(58))
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    c, s = 1000, 5000
    frames = [
        tcp_frame(client, server, cport, sport, c, 0, SYN),
        tcp_frame(server, client, sport, cport, s, c + 1, SYN | ACK),
        tcp_frame(client, server, cport, sport, c + 1, s + 1, ACK),
        tcp_frame(client, server, cport, sport, c + 1, s + 1, PSH | ACK, hello),
        tcp_frame(server, client, sport, cport, s + 1, c + 1 + len(hello), PSH | ACK, answer),
        tcp_frame(client, server, cport, sport, c + 1 + len(hello), s + 1 + len(answer), FIN | ACK),
        tcp_frame(server, client, sport, cport, s + 1 + len(answer), c + 2 + len(hello), FIN | ACK),
        tcp_frame(client, server, cport, sport, c + 2 + len(hello), s + 2 + len(answer), ACK),
    ]
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    return header + b"".join(record_bytes(1700000000, 1000 * i, f) for i, f in enumerate(frames))


def main():
    header, records = read_pcap(DEMO)
    kept = [r for n, r in enumerate(records, 1) if n > 5 and n != 38]
    write("midstream-gap.pcap", header + b"".join(record_bytes(*r) for r in kept))
    kept = [r for n, r in enumerate(records, 1) if n != 27]
    write("lost-publish.pcap", header + b"".join(record_bytes(*r) for r in kept))

    whole = header + b"".join(record_bytes(*r) for r in records)
    start_20 = 24 + sum(16 + len(r[2]) for r in records[:19])
    write("truncated.pcap", whole[:start_20 + 16 + len(records[19][2]) // 2])
    damaged = bytearray(whole)
    damaged[start_20 + 8:start_20 + 12] = struct.pack("<I", 1 << 24)
    write("corrupt.pcap", bytes(damaged))

    dot11 = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 105)
    write("ieee802_11.pcap", dot11 + record_bytes(1700000000, 0, bytes(24)))
    write("tls-8883.pcap", tls_capture())
    write("unanswered.pcap", unanswered_capture())
    write("interleaved.pcap", interleaved_capture())


if __name__ == "__main__":
    main()
