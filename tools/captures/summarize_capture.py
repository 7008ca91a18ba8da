#!/usr/bin/python3
"""What tshark sees in a TLS or WebSocket capture, connection by connection, and whether it is whole.

  summarize_capture.py [--keys KEYLOG] [--decode-as D]... [--tls-port P]... [--ws-port P]...
                       [--deflate] CAPTURE

One line per TCP connection: client and server port, TLS version and cipher suite, ALPN offered,
application data records, WebSocket frames (compressed ones), and the MQTT packets by type
("largest" is the largest Remaining Length).
MQTT straight on TCP or TLS is what tshark's MQTT dissector decodes. tshark 4.0 hands no
WebSocket payload to MQTT, so for WebSocket connections tshark lists each message's payload
(unmasked, inflated, decrypted) and this script joins them per direction and walks the MQTT fixed
headers itself, as count_packets.py does for TCP.

Exit 1 when a check fails: in every connection the client's MQTT runs from CONNECT to DISCONNECT
and both directions end on a packet boundary (so a key log that decrypts only part, or an inflate
that fails, is caught); every connection to a --tls-port negotiated TLS; every connection to a
--ws-port has WebSocket frames; with --deflate some frame is compressed. A pcapng with a
Decryption Secrets Block needs no --keys.
"""
import argparse
import collections
import os
import subprocess
import sys

MQTT_TYPES = ["RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
              "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"]
SUITES = {0xC02F: "ECDHE-RSA-AES128-GCM-SHA256", 0xC030: "ECDHE-RSA-AES256-GCM-SHA384",
          0xCCA8: "ECDHE-RSA-CHACHA20-POLY1305", 0x1301: "TLS_AES_128_GCM_SHA256",
          0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256"}
VERSIONS = {0x0303: "1.2", 0x0304: "1.3"}
MQTT_LEVELS = {"3": "3.1", "4": "3.1.1", "5": "5.0"}
FIELDS = ["tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack",
          "tls.record.content_type", "tls.handshake.type", "tls.handshake.ciphersuite",
          "tls.handshake.extensions.supported_version", "tls.handshake.extensions_alpn_str",
          "websocket.opcode", "websocket.pmc", "http.sec_websocket_extensions", "data.data",
          "mqtt.msgtype", "mqtt.ver", "mqtt.len", "_ws.malformed"]


class Conn:
    def __init__(self):
        self.client = self.server = None
        self.tls_version = self.suite = self.alpn = None
        self.records = self.multi_record_frames = 0
        self.ws_frames = self.ws_compressed = 0
        self.ws_side = collections.defaultdict(lambda: [0, 0])  # source port -> [frames, compressed]
        self.extensions = collections.defaultdict(set)          # source port -> extension names
        self.ws_payload = collections.defaultdict(bytearray)  # source port -> joined payloads
        self.ws_bounds = collections.defaultdict(list)        # source port -> where each message ends
        self.tshark_mqtt = {}                                  # source port -> [types] from tshark
        self.levels = set()
        self.largest = 0
        self.multi_mqtt_frames = 0
        self.malformed = 0


def values(cell):
    return [v for v in cell.split(",") if v] if cell else []


def walk(data, bounds=()):
    """MQTT fixed headers over a byte stream: ([types], [Remaining Lengths], whole?, packets that
    cross one of the offsets in bounds)."""
    types, sizes, i, crossing = [], [], 0, 0
    bounds = sorted(bounds)
    while i < len(data):
        length, shift, j = 0, 0, i + 1
        while True:
            if j >= len(data) or j - i > 4:
                return types, sizes, False, crossing
            length |= (data[j] & 0x7F) << shift
            shift += 7
            j += 1
            if not data[j - 1] & 0x80:
                break
        if j + length > len(data):
            return types, sizes, False, crossing
        types.append(MQTT_TYPES[data[i] >> 4])
        sizes.append(length)
        crossing += any(i < b < j + length for b in bounds)
        i = j + length
    return types, sizes, True, crossing


def read(capture, keys, decode_as):
    cmd = ["tshark", "-r", capture, "-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    if keys:
        cmd += ["-o", f"tls.keylog_file:{keys}"]
    for d in decode_as:
        cmd += ["-d", d]
    for f in FIELDS:
        cmd += ["-e", f]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode:
        sys.exit(f"tshark failed on {capture}: {proc.stderr.strip()}")
    conns = collections.defaultdict(Conn)
    for line in proc.stdout.splitlines():
        row = dict(zip(FIELDS, line.split("\t")))
        if not row.get("tcp.stream"):
            continue
        c = conns[int(row["tcp.stream"])]
        src = int(row["tcp.srcport"])
        if row["tcp.flags.syn"] in ("1", "True") and row["tcp.flags.ack"] in ("0", "False"):
            c.client, c.server = src, int(row["tcp.dstport"])
        hs = values(row["tls.handshake.type"])
        if "2" in hs:  # ServerHello: the one suite chosen, the version from supported_versions
            suite = int(values(row["tls.handshake.ciphersuite"])[0], 16)
            c.suite = SUITES.get(suite, f"0x{suite:04x}")
            sv = values(row["tls.handshake.extensions.supported_version"])
            c.tls_version = VERSIONS.get(int(sv[0], 16)) if sv else "1.2"
        if "1" in hs:
            c.alpn = ",".join(values(row["tls.handshake.extensions_alpn_str"])) or None
        app = [t for t in values(row["tls.record.content_type"]) if t == "23"]
        c.records += len(app)
        c.multi_record_frames += len(app) > 1
        ops = values(row["websocket.opcode"])
        compressed = sum(v in ("1", "True") for v in values(row["websocket.pmc"]))
        c.ws_frames += len(ops)
        c.ws_compressed += compressed
        c.ws_side[src][0] += len(ops)
        c.ws_side[src][1] += compressed
        for ext in values(row["http.sec_websocket_extensions"]):
            c.extensions[src].add(ext.split(";")[0].strip())
        if ops:
            for chunk in values(row["data.data"]):
                c.ws_payload[src] += bytes.fromhex(chunk.replace(":", ""))
                c.ws_bounds[src].append(len(c.ws_payload[src]))
        types = [MQTT_TYPES[int(t)] for t in values(row["mqtt.msgtype"])]
        c.tshark_mqtt.setdefault(src, []).extend(types)
        c.multi_mqtt_frames += len(types) > 1
        c.levels.update(MQTT_LEVELS.get(v, v) for v in values(row["mqtt.ver"]))
        for n in values(row["mqtt.len"]):
            c.largest = max(c.largest, int(n))
        c.malformed += bool(row["_ws.malformed"])
    return conns


def describe(n, c, problems, args):
    line = f"  {n}: :{c.client} -> :{c.server}"
    if c.tls_version:
        line += f", TLS {c.tls_version} {c.suite}" + (f" ALPN {c.alpn}" if c.alpn else "")
        line += f", {c.records} app records" + (f" ({c.multi_record_frames} frames hold several)"
                                                if c.multi_record_frames else "")
    if c.ws_frames:
        line += f", {c.ws_frames} WebSocket frames"
        offered, accepted = c.extensions.get(c.client), c.extensions.get(c.server)
        if offered or accepted:
            line += f" ({'/'.join(sorted(offered or {'nothing'}))} offered, {'/'.join(sorted(accepted or {'nothing'}))} accepted"
            if c.ws_compressed:
                client, server = c.ws_side[c.client], c.ws_side[c.server]
                line += f"; compressed: {client[1]} of {client[0]} client frames, {server[1]} of {server[0]} server frames"
            line += ")"
        # MQTT by our own framing over the joined WebSocket payloads
        per_side = {port: walk(bytes(data), c.ws_bounds[port]) for port, data in c.ws_payload.items()}
        whole = all(ok for _, _, ok, _ in per_side.values())
        client = per_side.get(c.client, ([], [], True, 0))[0]
        counts = collections.Counter(t for types, _, _, _ in per_side.values() for t in types)
        largest = max((s for _, sizes, _, _ in per_side.values() for s in sizes), default=0)
        crossing = sum(x for _, _, _, x in per_side.values())
        line += (f", MQTT in the WebSocket payloads: {sum(counts.values())} packets "
                 + " ".join(f"{t}={counts[t]}" for t in MQTT_TYPES if counts[t])
                 + f", largest {largest:,} bytes, {crossing} span several messages"
                 + ("" if whole else ", CUT SHORT"))
        if not whole:
            problems.append(f"connection {n}: a direction ends inside an MQTT packet")
    else:
        client = c.tshark_mqtt.get(c.client, [])
        counts = collections.Counter(t for types in c.tshark_mqtt.values() for t in types)
        level = "/".join(sorted(c.levels)) or "?"
        line += (f", MQTT {level} (tshark): {sum(counts.values())} packets "
                 + " ".join(f"{t}={counts[t]}" for t in MQTT_TYPES if counts[t])
                 + f", largest {c.largest:,} bytes")
        if c.multi_mqtt_frames:
            line += f", {c.multi_mqtt_frames} frames hold several"
    if c.malformed:
        line += f", {c.malformed} malformed"
    print(line)
    if not client or client[0] != "CONNECT" or client[-1] != "DISCONNECT":
        problems.append(f"connection {n}: the client's MQTT runs {client[:1]} .. {client[-1:]}, not CONNECT .. DISCONNECT")
    if c.server in args.tls_port and not c.tls_version:
        problems.append(f"connection {n}: no TLS ServerHello")
    if c.server in args.ws_port and not c.ws_frames:
        problems.append(f"connection {n}: no WebSocket frames")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys")
    ap.add_argument("--decode-as", action="append", default=[])
    ap.add_argument("--tls-port", type=int, action="append", default=[])
    ap.add_argument("--ws-port", type=int, action="append", default=[])
    ap.add_argument("--deflate", action="store_true", help="some WebSocket frame must be compressed")
    ap.add_argument("capture")
    args = ap.parse_args()
    conns = read(args.capture, args.keys, args.decode_as)
    print(f"{os.path.basename(args.capture)}: {os.path.getsize(args.capture):,} bytes, {len(conns)} connections"
          + (f" (keys: {os.path.basename(args.keys)})" if args.keys else ""))
    problems = []
    for n, c in sorted(conns.items()):
        describe(n, c, problems, args)
    if args.deflate and not any(c.ws_compressed for c in conns.values()):
        problems.append("no compressed WebSocket frame")
    for p in problems:
        print(f"  FAILED {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
