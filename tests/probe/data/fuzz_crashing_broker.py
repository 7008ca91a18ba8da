#!/usr/bin/python3
"""A fake MQTT broker for tests/probe/fuzz_crash_test.py: answers CONNECT with CONNACK 0 (3.1.1 or
5.0 form) and PINGREQ with PINGRESP, closes on DISCONNECT or on a stream it cannot frame, and
crashes like a sanitised broker (an AddressSanitizer-like line on stderr, then abort) on the first
whole packet of type 15 or PUBLISH with QoS bits 11, which mqtt-probe fuzz soon sends. With
--hang it stops answering anyone instead (it sleeps), for the liveness oracle. With --flaky STATE
as well, the second to sixth connections ever to send it a planted packet (counted in the file
STATE, across restarts) do not hang it, as a hang that depends on timing would not: with seed 1,
no replay of the first batch that hung it reproduces the hang, and a later batch's replay does.

With --harmless the planted packets do nothing: only the broker's malformed CONNACKs remain
(violations, for a run that must last). With --count FILE it writes the number of connections it
accepted into FILE after each one.

Usage: fuzz_crashing_broker.py PORT [--hang [--flaky STATE] | --harmless] [--count FILE]
(listens on 127.0.0.1 only)
"""
import os
import selectors
import socket
import sys
import time

HANG = "--hang" in sys.argv[2:]
HARMLESS = "--harmless" in sys.argv[2:]
COUNT = sys.argv[sys.argv.index("--count") + 1] if "--count" in sys.argv[2:-1] else None
FLAKY = sys.argv[sys.argv.index("--flaky") + 1] if "--flaky" in sys.argv[2:-1] else None


def planted_seen():
    """How many connections have sent this broker a planted packet, this one included (1 without
    --flaky)."""
    if not FLAKY:
        return 1
    try:
        with open(FLAKY) as f:
            seen = int(f.read() or 0) + 1
    except FileNotFoundError:
        seen = 1
    with open(FLAKY, "w") as f:
        f.write(str(seen))
    return seen


def packets(buf):
    """Whole packets at the start of `buf` and the bytes left; None for the rest when unframeable."""
    out = []
    while len(buf) >= 2:
        value, shift, i = 0, 0, 1
        while True:
            if i >= len(buf):
                return out, buf
            if i > 4:
                return out, None
            value |= (buf[i] & 0x7F) << shift
            shift += 7
            i += 1
            if not buf[i - 1] & 0x80:
                break
        if len(buf) < i + value:
            return out, buf
        out.append(buf[:i + value])
        buf = buf[i + value:]
    return out, buf


def answer(packet, healed):
    """The reply to one packet, None to close; crashes on the planted bug. `healed`: the
    connection's planted packets do nothing (--flaky); True or False once one was seen."""
    first = packet[0]
    if first >> 4 == 15 or (first >> 4 == 3 and first & 0x06 == 0x06):
        if HARMLESS:
            return b""
        if HANG:
            if healed[0] is None:
                healed[0] = 2 <= planted_seen() <= 6
            if healed[0]:
                return b""
            time.sleep(3600)
        sys.stderr.write("==4242==ERROR: AddressSanitizer: fake heap-buffer-overflow on the planted bug\n")
        sys.stderr.write("    #0 0x55d0 in handle_packet fuzz_crashing_broker.py\n")
        sys.stderr.flush()
        os.abort()
    if first == 0x10:
        level = packet[-1] if len(packet) < 10 else packet[packet.index(b"MQTT") + 4] if b"MQTT" in packet else 4
        return b"\x20\x03\x00\x00\x00" if level == 5 else b"\x20\x02\x00\x00"
    if first == 0xC0:
        return b"\xd0\x00"
    if first >> 4 == 14:
        return None
    return b""


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    server.listen(512)
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ)
    buffers = {}
    healed = {}
    accepted = 0
    while True:
        for key, _ in sel.select():
            if key.fileobj is server:
                conn, _ = server.accept()
                buffers[conn] = b""
                healed[conn] = [None]
                accepted += 1
                if COUNT:
                    with open(COUNT + ".new", "w") as f:
                        f.write(str(accepted))
                    os.replace(COUNT + ".new", COUNT)
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            done, rest = packets(buffers[conn] + data) if data else ([], None)
            replies = [answer(p, healed[conn]) for p in done]
            try:
                conn.sendall(b"".join(r for r in replies if r))
            except OSError:
                rest = None
            if rest is None or None in replies:
                sel.unregister(conn)
                conn.close()
                del buffers[conn]
                del healed[conn]
            else:
                buffers[conn] = rest


if __name__ == "__main__":
    main()
