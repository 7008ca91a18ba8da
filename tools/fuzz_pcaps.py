#!/usr/bin/python3
"""Small synthetic captures for the fuzz_pcap seeds: one MQTT conversation (handshake, CONNECT,
CONNACK, PUBLISH QoS 1, PUBACK, SUBSCRIBE, SUBACK, DISCONNECT, FIN) under every link type the
capture layer reads, IPv4 and IPv6 (with an extension header), and the TCP situations it must
handle: reordering, retransmission, overlap, loss, a capture starting mid-connection, a Remaining
Length split across segments, another port (auto-detection), TLS port, IP fragments, UDP, ARP,
a short snap length, an unsupported link type.
Usage: fuzz_pcaps.py OUTDIR"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "captures"))
from pcapgen import checksum  # noqa: E402

CLIENT4, SERVER4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CLIENT6 = bytes.fromhex("fd000000000000000000000000000001")
SERVER6 = bytes.fromhex("fd000000000000000000000000000002")

C2S = [bytes.fromhex(h) for h in (
    "100e00044d5154540402003c00026331",                  # CONNECT c1
    "32090003612f6200016869",                            # PUBLISH QoS 1 a/b id 1 "hi"
    "820800020003612f2301",                              # SUBSCRIBE id 2 a/# QoS 1
    "c000",                                              # PINGREQ
    "e000")]                                             # DISCONNECT
S2C = [bytes.fromhex(h) for h in ("20020000", "40020001", "9003000201", "d000")]


def tcp(sport, dport, seq, ack, flags, payload):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                       65535, 0, 0) + payload


def ipv4(src, dst, proto, payload, frag=0x4000):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload


def ipv6(src, dst, proto, payload, hop_by_hop=False):
    if hop_by_hop:
        payload = bytes([proto, 0, 1, 4, 0, 0, 0, 0]) + payload  # PadN option
        proto = 0
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, src, dst) + payload


def conversation(sport=40000, dport=1883, v6=False, hop=False, syn=True, split_rl=False):
    """IP packets of one MQTT conversation, as (ip_bytes) in capture order."""
    src, dst = (CLIENT6, SERVER6) if v6 else (CLIENT4, SERVER4)
    ip = (lambda s, d, p: ipv6(s, d, 6, p, hop)) if v6 else (lambda s, d, p: ipv4(s, d, 6, p))
    cseq, sseq, out = 1000, 5000, []
    def c(flags, data=b""):
        nonlocal cseq
        out.append(ip(src, dst, tcp(sport, dport, cseq, sseq, flags, data)))
        cseq += len(data) + (1 if flags & 0x03 else 0)
    def s(flags, data=b""):
        nonlocal sseq
        out.append(ip(dst, src, tcp(dport, sport, sseq, cseq, flags, data)))
        sseq += len(data) + (1 if flags & 0x03 else 0)
    if syn:
        c(0x02); s(0x12); c(0x10)
    for i, msg in enumerate(C2S):
        if split_rl and i == 1:
            big = bytes.fromhex("3083010003612f62") + b"x" * 126  # Remaining Length 0x83 0x01
            c(0x18, big[:2]); c(0x18, big[2:])
        else:
            c(0x18, msg)
        if i < len(S2C):
            s(0x18, S2C[i])
    c(0x11); s(0x11); c(0x10)
    return out


def ether(ip_packet, v6=False, tags=()):
    head = bytes.fromhex("020000000002020000000001")
    for tpid, vid in tags:
        head += struct.pack("!HH", tpid, vid)
    return head + struct.pack("!H", 0x86DD if v6 else 0x0800) + ip_packet


def pcap(linktype, frames, snaplen=65535):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        cap = f[:snaplen]
        out += struct.pack("<IIII", 1700000000 + i, i * 1000, len(cap), len(f)) + cap
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    def write(name, data):
        with open(os.path.join(out, f"synth.{name}.pcap"), "wb") as f:
            f.write(data)

    conv4, conv6 = conversation(), conversation(v6=True, hop=True)
    write("ether", pcap(1, [ether(p) for p in conv4]))
    write("vlan", pcap(1, [ether(p, tags=[(0x8100, 10)]) for p in conv4]))
    write("qinq", pcap(1, [ether(p, tags=[(0x88A8, 20), (0x8100, 10)]) for p in conv4]))
    write("qinq-9100", pcap(1, [ether(p, tags=[(0x9100, 20), (0x8100, 10)]) for p in conv4]))
    write("ipv6-hbh", pcap(1, [ether(p, v6=True) for p in conv6]))
    write("null", pcap(0, [struct.pack("<I", 2) + p for p in conv4]))
    write("null-v6", pcap(0, [struct.pack("<I", 30) + p for p in conv6]))
    write("loop", pcap(108, [struct.pack("!I", 2) + p for p in conv4]))
    write("raw", pcap(101, conv4))
    write("raw-v6", pcap(101, conv6))
    write("ipv4-dlt", pcap(228, conv4))
    write("ipv6-dlt", pcap(229, conv6))
    sll = lambda p, v6=False: struct.pack("!HHH8sH", 0, 772, 6, b"\0" * 8, 0x86DD if v6 else 0x0800) + p
    write("sll", pcap(113, [sll(p) for p in conv4]))
    sll2 = lambda p: struct.pack("!HHIHBB8s", 0x0800, 0, 1, 772, 0, 6, b"\0" * 8) + p
    write("sll2", pcap(276, [sll2(p) for p in conv4]))
    write("unsupported", pcap(105, [ether(p) for p in conv4[:3]]))

    frames = [ether(p) for p in conv4]
    reordered = frames[:4] + [frames[5], frames[4]] + frames[6:]
    write("reordered", pcap(1, reordered))
    write("retransmitted", pcap(1, frames[:5] + [frames[3], frames[4]] + frames[5:]))
    write("lost", pcap(1, frames[:4] + frames[5:]))
    write("midstream", pcap(1, frames[5:]))
    write("split-rl", pcap(1, [ether(p) for p in conversation(split_rl=True)]))
    write("other-port", pcap(1, [ether(p) for p in conversation(dport=2883)]))
    write("other-port-midstream", pcap(1, [ether(p) for p in conversation(dport=2883, syn=False)]))
    write("tls", pcap(1, [ether(p) for p in conversation(dport=8883)]))
    write("snaplen", pcap(1, frames, snaplen=60))
    # Overlap: the PUBLISH segment sent again with 3 bytes of the CONNECT before it.
    overlap = ipv4(CLIENT4, SERVER4, 6, tcp(40000, 1883, 1001 + 16 - 3, 5001, 0x18, C2S[0][-3:] + C2S[1]))
    write("overlap", pcap(1, frames[:6] + [ether(overlap)] + frames[6:]))
    other = [ether(ipv4(CLIENT4, SERVER4, 6, b"\0" * 8, frag=0x2000)),      # fragment, MF
             ether(ipv4(CLIENT4, SERVER4, 17, struct.pack("!HHHH", 5353, 1883, 8, 0))),  # UDP
             bytes.fromhex("ffffffffffff020000000001") + b"\x08\x06" + b"\0" * 28]       # ARP
    write("not-tcp", pcap(1, other + frames))


if __name__ == "__main__":
    main()
