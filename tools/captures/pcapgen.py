"""Building blocks of synthetic captures for the scripts that write them (tools/captures/,
tools/fuzz_pcaps.py, tests/cli/data/make_captures.py): the Internet checksum and one Ethernet /
IPv4 / TCP frame with correct checksums."""
import struct

ETHER_HEADER = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"


def checksum(data):
    """RFC 1071: the one's complement of the one's complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    """Ethernet, IPv4 (identification 1, Don't Fragment) and TCP carrying `payload`."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ETHER_HEADER + ip + tcp


SERVER = bytes([10, 255, 0, 1])  # the synthetic captures' broker, port 1883


class PcapFile:
    """A classic pcap file (Ethernet, microseconds) whose records are a microsecond apart."""

    def __init__(self, out):
        self.out = out
        self.t = 0
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def write(self, frame):
        self.t += 1
        t = self.t
        self.out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(frame), len(frame)))
        self.out.write(frame)


def client(i):
    """Client number i: its own address 10.x.y.z and a port."""
    return bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]), 10000 + i % 50000


def open_mqtt(pcap, i):
    """Client i's SYN, SYN-ACK, CONNECT (client id "cI", keep alive 60) and CONNACK 0 to SERVER:1883;
    returns (address, port, the client's next sequence number)."""
    address, port = client(i)
    cid = f"c{i}".encode()
    body = b"\0\x04MQTT\x04\x02\x00\x3c" + struct.pack("!H", len(cid)) + cid
    connect = bytes([0x10, len(body)]) + body
    pcap.write(tcp_frame(address, SERVER, port, 1883, 1000, 0, 0x02, b""))
    pcap.write(tcp_frame(SERVER, address, 1883, port, 5000, 1001, 0x12, b""))
    pcap.write(tcp_frame(address, SERVER, port, 1883, 1001, 5001, 0x18, connect))
    pcap.write(tcp_frame(SERVER, address, 1883, port, 5001, 1001 + len(connect), 0x18, b"\x20\x02\x00\x00"))
    return address, port, 1001 + len(connect)
