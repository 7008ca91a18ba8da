#!/usr/bin/python3
"""Publishes N QoS 0 messages as fast as the socket takes them, over TLS or WebSocket, for the
big benchmark captures (tools/captures/big_transport.sh).

  big_publisher.py --tls HOST:PORT --keylog FILE --cafile CA N [--per-connection M]
  big_publisher.py --ws HOST:PORT N [--per-connection M]

Each connection: CONNECT (MQTT 3.1.1), wait for CONNACK, M PUBLISH "bench/q0/C" with payload
"sensor-C reading K" each written on its own (TLS: one record per message, as paho writes them;
WebSocket: one masked binary frame per message), DISCONNECT. TLS is 1.3 (the suite OpenSSL
prefers, TLS_AES_256_GCM_SHA384), its secrets appended to the key log. Exit 1 on any failure.
"""
import argparse
import base64
import os
import socket
import ssl
import struct
import sys


def mqtt_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def packet(first, body):
    n, length = len(body), b""
    while True:
        digit, n = n % 128, n // 128
        length += bytes([digit | (0x80 if n else 0)])
        if not n:
            return bytes([first]) + length + body


def connect(client_id):
    return packet(0x10, mqtt_string("MQTT") + bytes([4, 2]) + struct.pack(">H", 60) + mqtt_string(client_id))


def ws_frame(payload):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x82]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def open_tls(host, port, keylog, cafile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    ctx.check_hostname = False
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.keylog_filename = keylog
    ctx.set_alpn_protocols(["mqtt"])
    sock = socket.create_connection((host, port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return ctx.wrap_socket(sock, server_hostname=host)


def open_ws(host, port):
    sock = socket.create_connection((host, port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /mqtt HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("the bridge closed during the upgrade")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise OSError("upgrade refused: " + head.split(b"\r\n")[0].decode(errors="replace"))
    return sock


def session(args, number, count):
    host, port = args.target.rsplit(":", 1)
    sock = open_tls(host, int(port), args.keylog, args.cafile) if args.tls else open_ws(host, int(port))
    wrap = (lambda b: b) if args.tls else ws_frame
    sock.sendall(wrap(connect(f"big-{number}")))
    reply = sock.recv(64)
    if not reply or (args.tls and reply[0] != 0x20):
        raise OSError(f"connection {number}: no CONNACK ({reply!r})")
    topic = mqtt_string(f"bench/q0/{number}")
    for k in range(1, count + 1):
        sock.sendall(wrap(packet(0x30, topic + f"sensor-{number} reading {k}".encode())))
    sock.sendall(wrap(bytes([0xE0, 0])))
    sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--tls", dest="tls_target")
    mode.add_argument("--ws", dest="ws_target")
    ap.add_argument("--keylog")
    ap.add_argument("--cafile")
    ap.add_argument("--per-connection", type=int, default=25000)
    ap.add_argument("count", type=int)
    args = ap.parse_args()
    args.tls = args.tls_target is not None
    args.target = args.tls_target or args.ws_target
    if args.tls and not (args.keylog and args.cafile):
        ap.error("--tls needs --keylog and --cafile")
    sent, number = 0, 0
    while sent < args.count:
        n = min(args.per_connection, args.count - sent)
        session(args, number, n)
        sent, number = sent + n, number + 1
    print(f"published {sent} messages on {number} connections", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ssl.SSLError) as e:
        print(f"big_publisher: {e}", file=sys.stderr)
        sys.exit(1)
