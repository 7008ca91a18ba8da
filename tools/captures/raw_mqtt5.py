#!/usr/bin/python3
"""Raw-socket MQTT 5.0 sessions for tools/make-captures.sh (mqtt5-session.pcap).

Hand-written 5.0 packets to a real broker, answered as its replies require: topic aliases set and
used (a PUBLISH with an empty Topic Name), QoS 1 and 2 both ways with properties, a subscription
identifier, reason codes on DISCONNECT; then one connection per broken rule that the broker
answers with a DISCONNECT reason code or a refusing CONNACK. What each broker reply was goes to
stdout, one line per case.
Usage: raw_mqtt5.py HOST PORT
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raw_mqtt import Conn, packet, rl, s  # noqa: E402


def prop(ident, value):
    """One property: Byte (int < 256 with a 1-byte hint), Two/Four Byte Integer, string or pair."""
    kind, v = value
    if kind == "byte":
        data = bytes([v])
    elif kind == "u16":
        data = v.to_bytes(2, "big")
    elif kind == "u32":
        data = v.to_bytes(4, "big")
    elif kind == "vbi":
        data = rl(v)
    elif kind == "str":
        data = s(v)
    elif kind == "pair":
        data = s(v[0]) + s(v[1])
    else:
        raise ValueError(kind)
    return bytes([ident]) + data


def props(*items):
    body = b"".join(prop(i, v) for i, v in items)
    return rl(len(body)) + body


# Property identifiers (§2.2.2.2)
PAYLOAD_FORMAT, CONTENT_TYPE, SUB_ID, SESSION_EXPIRY = 0x01, 0x03, 0x0B, 0x11
AUTH_METHOD, PROBLEM_INFO, REASON_STRING, RECEIVE_MAX = 0x15, 0x17, 0x1F, 0x21
ALIAS_MAX, ALIAS, USER = 0x22, 0x23, 0x26


def connect(client_id, properties=props(), flags=0x02, keep_alive=60):
    return packet(0x10, s("MQTT") + bytes([5, flags]) + keep_alive.to_bytes(2, "big") + properties + s(client_id))


def publish(topic, payload, qos=0, packet_id=0, properties=props()):
    return packet(0x30 | qos << 1, s(topic) + (packet_id.to_bytes(2, "big") if qos else b"") + properties + payload)


def ack(first, packet_id, code=0x00):
    return packet(first, packet_id.to_bytes(2, "big") + bytes([code]) + props())


def read_packet(c):
    """One whole packet: (first byte, body)."""
    first = c.expect(1)[0]
    length, shift = 0, 0
    while True:
        b = c.expect(1)[0]
        length |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return first, c.expect(length) if length else b""


def expect_type(c, type_nibble, what):
    first, body = read_packet(c)
    if first >> 4 != type_nibble:
        raise RuntimeError(f"{what}: expected type {type_nibble}, got {first:#04x} {body.hex()}")
    return first, body


def received_id(body):
    """The Packet Identifier of a QoS 1/2 PUBLISH body."""
    n = int.from_bytes(body[:2], "big")
    return int.from_bytes(body[2 + n:4 + n], "big")


def opened(host, port, client_id, properties=props()):
    c = Conn(host, port)
    c.send(connect(client_id, properties))
    _, body = expect_type(c, 2, f"{client_id} CONNACK")
    if body[1] != 0:
        raise RuntimeError(f"{client_id}: CONNACK refused with {body[1]:#04x}")
    return c


def session(host, port):
    """A subscriber and a publisher that use every 5.0 part the checker follows."""
    sub = opened(host, port, "v5s-sub", props((RECEIVE_MAX, ("u16", 10)), (ALIAS_MAX, ("u16", 5)),
                                              (PROBLEM_INFO, ("byte", 1))))
    sub.send(packet(0x82, (1).to_bytes(2, "big") + props((SUB_ID, ("vbi", 7))) + s("v5s/#") + bytes([0x02])))
    expect_type(sub, 9, "SUBACK")

    pub = opened(host, port, "v5s-pub", props((ALIAS_MAX, ("u16", 2))))
    # Topic Alias 1 set with its topic, then used with an empty Topic Name (QoS 2 and 0)
    pub.send(publish("v5s/alias", b"first, with its topic", 1, 1,
                     props((ALIAS, ("u16", 1)), (USER, ("pair", ("origin", "raw_mqtt5"))))))
    expect_type(pub, 4, "PUBACK")
    _, body = expect_type(sub, 3, "delivery 1")
    sub.send(ack(0x40, received_id(body)))

    pub.send(publish("", b"second, by alias", 2, 2,
                     props((ALIAS, ("u16", 1)), (PAYLOAD_FORMAT, ("byte", 1)), (CONTENT_TYPE, ("str", "text/plain")))))
    expect_type(pub, 5, "PUBREC")
    pub.send(ack(0x62, 2))
    expect_type(pub, 7, "PUBCOMP")
    _, body = expect_type(sub, 3, "delivery 2")
    sub.send(ack(0x50, received_id(body)))
    expect_type(sub, 6, "PUBREL")
    sub.send(ack(0x70, received_id(body)))

    pub.send(publish("", b"third, QoS 0 by alias", 0, 0, props((ALIAS, ("u16", 1)))))
    expect_type(sub, 3, "delivery 3")
    pub.send(packet(0xE0, bytes([0x00]) + props((REASON_STRING, ("str", "done")))))
    pub.wait_closed()
    pub.close()
    sub.send(packet(0xE0, bytes([0x04]) + props()))  # Disconnect with Will Message (there is none)
    sub.wait_closed()
    sub.close()
    print("session: done")


def broken(name, client_id, data, connect_properties=props()):
    """One connection, one broken rule; the broker's answer (its last packet) is printed."""
    def run(host, port):
        c = Conn(host, port)
        c.send(connect(client_id, connect_properties))
        first, body = read_packet(c)
        answers = [f"{first:#04x} {body[:2].hex()}"]
        if first == 0x20 and body[1] == 0:
            c.send(data)
            try:
                first, body = read_packet(c)
                answers.append(f"{first:#04x} {body[:1].hex()}")
            except (RuntimeError, OSError):
                answers.append("closed")
        closed = c.wait_closed()
        c.close()
        print(f"{name:22} {' then '.join(answers)} {closed}")
    return run


BROKEN = [
    # alias 11 above the broker's Topic Alias Maximum (mosquitto: 10): DISCONNECT 0x94
    broken("alias-above-maximum", "v5s-alias-high", publish("v5s/x", b"x", 0, 0, props((ALIAS, ("u16", 11))))),
    # an empty Topic Name whose alias was never mapped: DISCONNECT 0x82
    broken("alias-unmapped", "v5s-alias-unmapped", publish("", b"x", 0, 0, props((ALIAS, ("u16", 3))))),
    # Session Expiry set on DISCONNECT after CONNECT had none
    broken("expiry-after-zero", "v5s-expiry", packet(0xE0, bytes([0x00]) + props((SESSION_EXPIRY, ("u32", 60))))),
    # an Authentication Method the broker does not know: CONNACK 0x8C and close
    broken("unknown-auth-method", "v5s-auth", b"", props((AUTH_METHOD, ("str", "SCRAM-SHA-1")))),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    args = ap.parse_args()
    session(args.host, args.port)
    for case in BROKEN:
        case(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
