#!/usr/bin/python3
"""Raw-socket MQTT 3.1.1 sender for tools/make-captures.sh.

Sends hand-made byte sequences to a real broker, one case per TCP connection,
so the captures hold packets no well-behaved client would produce.
Usage: raw_mqtt.py HOST PORT {malformed,segmented,demo-bad} [--list]
"""
import argparse
import socket
import sys
import time

TIMEOUT = 3.0  # seconds to wait for the broker to answer or close


def rl(n):
    """Remaining Length encoding (1..4 bytes)."""
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def s(text):
    """Length-prefixed string; bytes pass through untouched (for bad UTF-8)."""
    data = text if isinstance(text, bytes) else text.encode()
    return len(data).to_bytes(2, "big") + data


def packet(first_byte, body):
    return bytes([first_byte]) + rl(len(body)) + body


def connect(client_id, flags=0x02, keep_alive=30, level=4, name="MQTT", extra=b""):
    body = s(name) + bytes([level, flags]) + keep_alive.to_bytes(2, "big") + s(client_id) + extra
    return packet(0x10, body)


def publish(topic, payload=b"", qos=0, packet_id=1, first=None):
    body = s(topic) + (packet_id.to_bytes(2, "big") if qos else b"") + payload
    return packet(first if first is not None else 0x30 | (qos << 1), body)


def subscribe(packet_id, filters, first=0x82):
    body = packet_id.to_bytes(2, "big") + b"".join(s(f) + bytes([q]) for f, q in filters)
    return packet(first, body)


class Conn:
    """One TCP connection with Nagle off, so each send() leaves as its own segment."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data, pause=0.05):
        self.sock.sendall(data)
        time.sleep(pause)  # let the segment leave alone

    def expect(self, nbytes):
        """Read exactly nbytes (an answer we know the size of) or fail."""
        got = b""
        while len(got) < nbytes:
            chunk = self.sock.recv(nbytes - len(got))
            if not chunk:
                raise RuntimeError(f"broker closed after {len(got)} of {nbytes} bytes")
            got += chunk
        return got

    def wait_closed(self):
        """Drain until the broker ends the connection: how, or "" if it did not in time."""
        deadline = time.monotonic() + TIMEOUT
        try:
            while time.monotonic() < deadline:
                if not self.sock.recv(4096):
                    return "broker closed (FIN)"
        except ConnectionResetError:
            return "broker reset (RST)"
        except socket.timeout:
            pass
        return ""

    def close(self):
        self.sock.close()


def connected(host, port, client_id):
    c = Conn(host, port)
    c.send(connect(client_id))
    ack = c.expect(4)
    if ack != b"\x20\x02\x00\x00":
        raise RuntimeError(f"{client_id}: unexpected CONNACK {ack.hex()}")
    return c


# Each malformed case: (name, rule it breaks, function(host, port) -> note).
# The broker must close the connection; the case fails loudly otherwise.

def bad_after_connect(client_id, data):
    def run(host, port):
        c = connected(host, port, client_id)
        c.send(data)
        closed = c.wait_closed()
        c.close()
        return closed
    return run


def bad_first(data, answer_len=0):
    def run(host, port):
        c = Conn(host, port)
        c.send(data)
        if answer_len:
            c.expect(answer_len)
        closed = c.wait_closed()
        c.close()
        return closed
    return run


def truncated_huge_length(host, port):
    # CVE-2017-7651 shape: Remaining Length claims ~256 MB, a few bytes follow, then the
    # client gives up and closes. The broker never sees the rest.
    c = connected(host, port, "bad-huge-length")
    c.send(b"\x30\xff\xff\xff\x7f" + s("big/claim") + b"only a few bytes")
    c.close()
    return "client closed it (broker waits for the rest)"


MALFORMED = [
    ("connect-reserved-flag", "MQTT-3.1.2-3",
     bad_first(connect("bad-reserved-flag", flags=0x03))),
    ("first-packet-not-connect", "MQTT-3.1.0-1",
     bad_first(publish("early/bird", b"hello"))),
    ("connect-level-6", "MQTT-3.1.2-2 (CONNACK 0x01)",
     bad_first(connect("bad-level", level=6), answer_len=4)),
    ("second-connect", "MQTT-3.1.0-2",
     bad_after_connect("bad-second-connect", connect("bad-second-connect"))),
    ("publish-wildcard-topic", "MQTT-3.3.2-2",
     bad_after_connect("bad-wildcard", publish("sensors/+/temp", b"21.5"))),
    ("publish-bad-utf8", "MQTT-1.5.3-1",
     bad_after_connect("bad-utf8", publish(b"sensors/\xc3\x28/temp", b"21.5"))),
    ("publish-empty-topic", "MQTT-4.7.3-1",
     bad_after_connect("bad-empty-topic", publish(b"", b"no topic"))),
    ("publish-qos3", "MQTT-3.3.1-4",
     bad_after_connect("bad-qos3", publish("sensors/x", b"q3", qos=1, first=0x36))),
    ("reserved-type-0", "§2.2.1 type 0",
     bad_after_connect("bad-type0", b"\x00\x00")),
    ("subscribe-bad-flags", "MQTT-3.8.1-1",
     bad_after_connect("bad-sub-flags", subscribe(7, [("sensors/#", 1)], first=0x80))),
    ("subscribe-no-filter", "MQTT-3.8.3-3",
     bad_after_connect("bad-sub-empty", b"\x82\x02\x00\x08")),
    ("connack-wrong-direction", "§2.2.1 direction",
     bad_after_connect("bad-direction", b"\x20\x02\x00\x00")),
    ("remaining-length-5-bytes", "§2.2.3",
     bad_after_connect("bad-rl", b"\x30\xff\xff\xff\xff\x01")),
    ("huge-length-truncated", "CVE-2017-7651 shape", truncated_huge_length),
]


def run_malformed(host, port, names=None):
    for name, rule, fn in MALFORMED:
        if names and name not in names:
            continue
        closed = fn(host, port)
        print(f"{name:26} {rule:28} {closed or 'still open after 3 s, client closed'}")


def run_segmented(host, port):
    """Well-formed packets cut at awkward places; the broker must accept all of them."""
    c = Conn(host, port)
    # CONNECT delivered one byte per segment.
    for b in connect("seg-client", keep_alive=60):
        c.send(bytes([b]), pause=0.02)
    assert c.expect(4) == b"\x20\x02\x00\x00"
    # SUBSCRIBE + PUBLISH QoS 0 + PUBLISH QoS 1 + PINGREQ in one segment.
    c.send(subscribe(1, [("seg/#", 1)]) + publish("seg/a", b"zero") +
           publish("seg/b", b"one", qos=1, packet_id=2) + b"\xc0\x00")
    # SUBACK(5) PUBLISH QoS0 back(13) PUBACK(4) PUBLISH QoS1 back(14) PINGRESP(2), any order
    # of the last ones is fixed by the broker; read them as one block.
    c.expect(5 + 4 + 13 + 14 + 2)
    # A PUBLISH whose two-byte Remaining Length is split across two segments.
    big = publish("seg/split-length", b"x" * 300, qos=1, packet_id=3)
    assert big[1] & 0x80 and not big[2] & 0x80
    c.send(big[:2], pause=0.2)
    c.send(big[2:])
    # PUBACK(4) + PUBLISH back (3+2+16+2+300=323 bytes incl. header)
    c.expect(4 + len(big))
    c.send(b"\x40\x02\x00\x01")  # PUBACK for the broker's first QoS 1 delivery
    c.send(b"\x40\x02\x00\x02")  # and for the second
    # A PUBLISH whose fixed header ends one segment and body fills two more.
    body = publish("seg/three-parts", bytes(range(256)) * 8, qos=0)
    c.send(body[:3])
    c.send(body[3:1000])
    c.send(body[1000:])
    c.expect(len(body))
    # UNSUBSCRIBE split mid-string, then DISCONNECT.
    unsub = packet(0xA2, (4).to_bytes(2, "big") + s("seg/#"))
    c.send(unsub[:8])
    c.send(unsub[8:])
    assert c.expect(4) == b"\xb0\x02\x00\x04"
    c.send(b"\xe0\x00")
    c.wait_closed()
    c.close()
    print("segmented: done")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=["malformed", "segmented", "demo-bad"])
    args = ap.parse_args()
    if args.mode == "malformed":
        run_malformed(args.host, args.port)
    elif args.mode == "demo-bad":
        run_malformed(args.host, args.port, {"publish-wildcard-topic"})
    else:
        run_segmented(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
