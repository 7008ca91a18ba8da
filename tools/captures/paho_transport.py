#!/usr/bin/python3
"""paho-mqtt (1.6.1) sessions over TLS and/or WebSocket for tools/captures/tls_captures.sh and
ws_captures.sh.

One connection, every step waiting (bounded) for its answer so the MQTT packet sequence is fixed:
CONNECT; SUBSCRIBE PREFIX/small/# at QoS 2; PUBLISH QoS 0, 1 and 2 to it (each delivered back at
the same QoS); one --large byte PUBLISH QoS 1 to PREFIX/large (not subscribed, so it crosses
once: several TLS records and TCP segments); five small QoS 0 PUBLISHes written back to back and
delivered back; DISCONNECT. With --mqtt 5 the CONNECT and PUBLISHes carry a User
Property. Prints one line: client id, transport, TLS version, cipher suite, ALPN.

  paho_transport.py HOST PORT --client-id ID [--mqtt 3.1.1|5] [--websocket PATH]
                    [--tls 1.2|1.3 --ca CA.pem --cipher NAME --keylog FILE [--alpn mqtt]]
                    [--large BYTES] [--prefix TOPIC]

TLS 1.3 cipher suites cannot be chosen through Python's ssl module (set_ciphers is TLS 1.2 only),
so for --tls 1.3 the helper points OPENSSL_CONF at a two-line configuration that leaves only that
suite, before ssl is first imported; the suite negotiated is checked either way.
"""
import argparse
import os
import sys
import tempfile

import paho_events

STEP_TIMEOUT = 10.0
BURST = 5


def parse():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--mqtt", choices=["3.1.1", "5"], default="3.1.1")
    ap.add_argument("--websocket", metavar="PATH", help="MQTT over WebSocket at PATH (subprotocol mqtt)")
    ap.add_argument("--tls", choices=["1.2", "1.3"])
    ap.add_argument("--ca")
    ap.add_argument("--cipher", help="the one cipher suite offered (OpenSSL name for 1.2, IANA name for 1.3)")
    ap.add_argument("--keylog", help="append the NSS key log here")
    ap.add_argument("--alpn", action="append", default=[])
    ap.add_argument("--large", type=int, default=40_000)
    ap.add_argument("--prefix", help="topic prefix (default: the client id)")
    args = ap.parse_args()
    if args.tls and not (args.ca and args.cipher and args.keylog):
        ap.error("--tls needs --ca, --cipher and --keylog")
    return args


def pin_tls13_suite(suite):
    """Leave only `suite` among the TLS 1.3 cipher suites of every SSL_CTX this process makes."""
    conf = tempfile.NamedTemporaryFile("w", prefix="paho-tls13-", suffix=".cnf", delete=False)
    conf.write("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = pin\n"
               f"[pin]\nCiphersuites = {suite}\n")
    conf.close()
    os.environ["OPENSSL_CONF"] = conf.name
    return conf.name


ARGS = parse()
PIN_FILE = pin_tls13_suite(ARGS.cipher) if ARGS.tls == "1.3" else None

import ssl  # noqa: E402  (after OPENSSL_CONF is set)

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402


def user_property(packet_type, key, value):
    p = Properties(packet_type)
    p.UserProperty = (key, value)
    return p


class Session(paho_events.Waiter):
    """One paho client whose callbacks become events a step waits for."""

    def __init__(self, args):
        self.v5 = args.mqtt == "5"
        self.client = mqtt.Client(client_id=args.client_id,
                                  clean_session=None if self.v5 else True,
                                  protocol=mqtt.MQTTv5 if self.v5 else mqtt.MQTTv311,
                                  transport="websockets" if args.websocket else "tcp",
                                  reconnect_on_failure=False)
        if args.websocket:
            self.client.ws_set_options(path=args.websocket)
        if args.tls:
            self.client.tls_set_context(self.tls_context(args))
        paho_events.Waiter.__init__(self, STEP_TIMEOUT)
        c = self.client
        if self.v5:
            c.on_connect = lambda _c, _u, _f, rc, _p: self._event("connack", rc.value)
            c.on_subscribe = lambda _c, _u, mid, _rcs, _p: self._event(("suback", mid), True)
            c.on_disconnect = lambda _c, _u, rc, _p=None: self._event("disconnected", rc)
        else:
            c.on_connect = lambda _c, _u, _f, rc: self._event("connack", rc)
            c.on_subscribe = lambda _c, _u, mid, _q: self._event(("suback", mid), True)
            c.on_disconnect = lambda _c, _u, rc: self._event("disconnected", rc)
        c.on_publish = lambda _c, _u, mid: self._event(("published", mid), True)
        c.on_message = self._on_message

    @staticmethod
    def tls_context(args):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(args.ca)
        version = ssl.TLSVersion.TLSv1_2 if args.tls == "1.2" else ssl.TLSVersion.TLSv1_3
        ctx.minimum_version = ctx.maximum_version = version
        if args.tls == "1.2":
            ctx.set_ciphers(args.cipher)
        if args.alpn:
            ctx.set_alpn_protocols(args.alpn)
        ctx.keylog_filename = args.keylog
        return ctx

    def publish(self, topic, payload, qos, wait=True):
        props = user_property(PacketTypes.PUBLISH, "origin", "paho_transport") if self.v5 else None
        info = self.client.publish(topic, payload, qos, properties=props)
        if wait:
            self.wait(("published", info.mid))

    def tls_line(self):
        sock = self.client.socket()
        sock = getattr(sock, "_socket", sock)  # the WebSocket wrapper holds the TLS socket
        if not hasattr(sock, "cipher"):
            return None, "plain"
        name, version, _bits = sock.cipher()
        return name, f"{version} {name} alpn={sock.selected_alpn_protocol() or '-'}"


def run(args):
    prefix = args.prefix or args.client_id
    s = Session(args)
    c = s.client
    if s.v5:
        c.connect(args.host, args.port, keepalive=60, clean_start=True,
                  properties=user_property(PacketTypes.CONNECT, "tool", "paho_transport"))
    else:
        c.connect(args.host, args.port, keepalive=60)
    c.loop_start()
    try:
        rc = s.wait("connack")
        if rc != 0:
            raise RuntimeError(f"CONNACK {rc}")
        cipher, tls = s.tls_line()
        if args.tls and cipher != args.cipher:
            raise RuntimeError(f"negotiated {tls}, asked for {args.cipher}")
        _, mid = c.subscribe(f"{prefix}/small/#", qos=2)
        s.wait(("suback", mid))
        for qos in (0, 1, 2):
            s.publish(f"{prefix}/small/qos{qos}", f"QoS {qos} over {tls}".encode(), qos)
            s.wait_messages(qos + 1)
        large = bytes((i * 31 + i // 509) & 0xFF for i in range(args.large))
        s.publish(f"{prefix}/large", large, 1)
        for i in range(BURST):  # written back to back, not waited for one by one
            s.publish(f"{prefix}/small/burst", f"burst {i}".encode(), 0, wait=False)
        s.wait_messages(3 + BURST)
        c.disconnect()
        s.wait("disconnected")
    finally:
        c.loop_stop()
    kind = ("wss" if args.tls else "ws") if args.websocket else ("tls" if args.tls else "tcp")
    print(f"{args.client_id}: MQTT {args.mqtt} over {kind}, {tls}, {len(s.messages)} messages back")


if __name__ == "__main__":
    try:
        sys.exit(run(ARGS))
    finally:
        if PIN_FILE:
            os.unlink(PIN_FILE)
