#!/usr/bin/python3
"""Builds the raw seed inputs of every fuzz harness into OUT/<harness>/ (tools/make-fuzz-seeds.sh
minimises them into corpus/fuzz/<harness>/).

Sources: one packet per line of tools/fuzz-seeds.txt written by mqtt-craft; sessions assembled
from those packets (whole, and cut into chunks with the fuzz_stream separator at awkward places:
inside the Remaining Length, after byte 0, one byte before the end); the TCP payload of every
committed capture (tshark), per connection and direction, and the packets framed from it; small
pcap conversations written by `mqtt-craft --out pcap`, synthetic captures of every link type and
TCP situation (tools/fuzz_pcaps.py), and the first 16 records of each capture.
Usage: fuzz_seeds.py OUT CRAFT
"""
import hashlib
import os
import shutil
import random
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEP = b"|SPLIT|"
MAX_STREAM = 4096


def craft(craft_bin, args, out_format="raw", out_file=None):
    cmd = [craft_bin, "--out", out_format, "-q"]
    if out_file:
        cmd += ["-o", out_file]
    res = subprocess.run(cmd + args, capture_output=True, check=True)
    return res.stdout


def read_seed_table():
    rows = []
    with open(os.path.join(ROOT, "tools", "fuzz-seeds.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, args = line.split(None, 1)
            rows.append((name, shlex.split(args)))
    return rows


def frame(stream):
    """Cuts a byte stream into whole packets (stops at the first framing problem)."""
    packets, pos = [], 0
    while pos + 2 <= len(stream):
        value, shift, i = 0, 0, pos + 1
        while i < len(stream) and i < pos + 5:
            value |= (stream[i] & 0x7F) << shift
            shift += 7
            i += 1
            if not stream[i - 1] & 0x80:
                break
        else:
            break
        if stream[i - 1] & 0x80 or i + value > len(stream):
            break
        packets.append(stream[pos:i + value])
        pos = i + value
    return packets


def capture_streams():
    """TCP payload per (capture, stream, source port), concatenated in capture order."""
    streams = {}
    cap_dir = os.path.join(ROOT, "corpus", "captures")
    for name in sorted(os.listdir(cap_dir)):
        if not name.endswith((".pcap", ".pcapng")):
            continue
        res = subprocess.run(
            ["tshark", "-r", os.path.join(cap_dir, name), "-Y", "tcp.len > 0", "-T", "fields",
             "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.payload"],
            capture_output=True, text=True)
        for line in res.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2]:
                continue
            key = (name, parts[0], parts[1])
            streams.setdefault(key, bytearray()).extend(bytes.fromhex(parts[2].replace(":", "")))
    return streams


def split_awkwardly(stream, rng):
    """The stream with separators after byte 0 of a packet, inside a Remaining Length, and at
    random places."""
    cuts = set()
    pos = 0
    for p in frame(stream):
        cuts.add(pos + 1)
        if len(p) > 2 and p[1] & 0x80:
            cuts.add(pos + 2)
        cuts.add(pos + len(p) - 1)
        pos += len(p)
    for _ in range(3):
        if stream:
            cuts.add(rng.randrange(len(stream)))
    out, last = bytearray(), 0
    for c in sorted(x for x in cuts if 0 < x < len(stream)):
        out += stream[last:c] + SEP
        last = c
    return bytes(out + stream[last:])


def main():
    out, craft_bin = sys.argv[1], sys.argv[2]
    rng = random.Random(20261125)
    dirs = {h: os.path.join(out, h) for h in
            ("fuzz_decode", "fuzz_stream", "fuzz_roundtrip", "fuzz_craft", "fuzz_pcap", "fuzz_pcap_read")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    def put(harness, name, data):
        with open(os.path.join(dirs[harness], name), "wb") as f:
            f.write(data)

    # Packets from mqtt-craft: every type, every breakage.
    packets = {}
    for name, args in read_seed_table():
        packets[name] = craft(craft_bin, args)
    for name, p in packets.items():
        # level 4 (v5_*: 5.0, bit 4), every warning
        put("fuzz_decode", f"{name}.bin", (b"\x16" if name.startswith("v5_") else b"\x06") + p)
        put("fuzz_roundtrip", f"{name}.bin", p)
        put("fuzz_stream", f"{name}.bin", p)
    for name in ("connect_v31", "publish_q1", "subscribe_ok", "puback_pid0", "publish_pid0",
                 "subscribe_pid0", "publish_topic_ctrl", "publish_rl_wide2"):
        for opt in (0x01, 0x00, 0x0F):
            put("fuzz_decode", f"{name}.opt{opt:02x}.bin", bytes([opt]) + packets[name])

    # Sessions, whole and chunked.
    sessions = {
        "session_full": ["connect_full", "connack_ok", "subscribe_ok", "suback_ok", "publish_q0",
                         "publish_q1", "puback_ok", "publish_q2", "pubrec_ok", "pubrel_ok",
                         "pubcomp_ok", "unsubscribe_ok", "unsuback_ok", "pingreq_ok",
                         "pingresp_ok", "disconnect_ok"],
        "session_v31": ["connect_v31", "connack_ok", "publish_q1", "puback_ok", "disconnect_ok"],
        "session_big": ["connect_min", "publish_big", "publish_q0", "disconnect_ok"],
        "session_broken_rl": ["connect_min", "publish_q0", "publish_rl_5bytes", "publish_q0"],
        "session_claim_max": ["connect_min", "publish_rl_claim_max"],
        "session_truncated": ["connect_min", "subscribe_ok", "publish_truncated"],
        "session_bad_packets": ["connect_reserved", "publish_q3", "subscribe_none", "suback_none",
                                "pingreq_long", "type0", "disconnect_flags"],
        "session_v5": ["v5_connect", "v5_connack", "v5_subscribe_opts", "v5_suback", "v5_publish_alias",
                       "v5_puback_rc", "v5_publish_by_alias", "v5_auth", "v5_disconnect_rc"],
        "session_v5_broken": ["v5_connect", "v5_connack", "v5_prop_repeated", "v5_prop_len_wide",
                              "v5_prop_unknown", "v5_publish_props"],
    }
    for name, parts in sessions.items():
        s = b"".join(packets[p] for p in parts)
        put("fuzz_stream", f"{name}.bin", s)
        put("fuzz_stream", f"{name}.split.bin", split_awkwardly(s, rng))
        put("fuzz_roundtrip", f"{name}.bin", s)

    # Real traffic from the committed captures.
    seen = set()
    for (cap, stream, port), payload in sorted(capture_streams().items()):
        base = f"cap.{os.path.splitext(cap)[0]}.s{stream}.p{port}"
        data = bytes(payload[:MAX_STREAM])
        put("fuzz_stream", f"{base}.bin", data)
        put("fuzz_roundtrip", f"{base}.bin", data)
        for i, p in enumerate(frame(data)):
            digest = hashlib.sha1(p[:1] + p[-8:]).hexdigest()
            if digest in seen or len(p) > 1024:
                continue
            seen.add(digest)
            put("fuzz_decode", f"{base}.{i}.bin", b"\x06" + p)

    # fuzz_craft reads a packet value and overrides from its bytes: random bytes, one run per
    # type and override mask.
    for t in range(14):
        for mask in (0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F):
            body = bytes(rng.randrange(256) for _ in range(48))
            put("fuzz_craft", f"type{t + 1:02d}.mask{mask:02x}.bin", bytes([t]) + body[:24] +
                bytes([mask]) + body[24:])

    # pcap conversations written by mqtt-craft, synthetic captures, and the first 16 records of
    # every capture, each cut to 1600 bytes.
    scripts = {
        "craft_session": "connect --client-id pcap1 --will-topic w --will-message m\n"
                         "subscribe --filter 'a/#:1' --packet-id 2\n"
                         "publish --topic a/b --qos 1 --packet-id 3 --payload hello\n"
                         "pingreq\ndisconnect\n",
        "craft_broken": "connect --client-id c --reserved-flag\n"
                        "publish --topic 'a/+' --qos 3 --payload x\n"
                        "publish --topic a --remaining-length-width 5\n",
        "craft_v31": "connect --protocol-level 3 --client-id c31\npublish --topic t --payload x\n",
    }
    tmp = os.path.join(out, "tmp")
    os.makedirs(tmp, exist_ok=True)
    for name, text in scripts.items():
        script = os.path.join(tmp, name + ".txt")
        with open(script, "w") as f:
            f.write(text)
        pcap = os.path.join(dirs["fuzz_pcap"], name + ".pcap")
        try:
            craft(craft_bin, ["--port", "1883", "script", script], out_format="pcap", out_file=pcap)
        except subprocess.CalledProcessError as e:
            print(f"fuzz_seeds: mqtt-craft --out pcap failed ({e.stderr.decode().strip()}); "
                  f"{name}.pcap left out", file=sys.stderr)
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tools", "fuzz_pcaps.py"), dirs["fuzz_pcap"]],
                   check=True)
    cap_dir = os.path.join(ROOT, "corpus", "captures")
    for name in sorted(os.listdir(cap_dir)):
        if name.endswith((".pcap", ".pcapng")):
            ext = os.path.splitext(name)[1]
            subprocess.run(["editcap", "-s", "1600", "-F", "pcap" if ext == ".pcap" else "pcapng", "-r",
                            os.path.join(cap_dir, name),
                            os.path.join(dirs["fuzz_pcap"], f"head.{os.path.splitext(name)[0]}{ext}"),
                            "1-16"], check=True, capture_output=True)
    # The readers' harness starts from the same capture files.
    shutil.copytree(dirs["fuzz_pcap"], dirs["fuzz_pcap_read"], dirs_exist_ok=True)


if __name__ == "__main__":
    main()
