"""Helpers of the --send and mqtt-probe tests: the real peers they start on 127.0.0.1 (mosquitto,
aedes, a Node WebSocket peer, tcpdump on lo), always with bounded waits and stopped by pid;
certificates made with the openssl command; and a small pcap reader that reassembles one TCP direction and walks WebSocket
frames, to check what went over the wire.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(REPO, "tools", "node", "node_modules")


class PeerError(Exception):
    """A peer could not be started; the message names the missing piece."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, host="127.0.0.1", seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc, sig=signal.SIGTERM):
    """Stops one process we started, by its pid: `sig`, then SIGKILL after 5 s."""
    if proc is None or proc.poll() is not None:
        return
    os.kill(proc.pid, sig)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def mosquitto_path():
    path = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
    if path is None:
        raise PeerError("mosquitto is not installed (apt-get install mosquitto)")
    return path


def node_path():
    path = shutil.which("node") or ("/usr/bin/node" if os.path.exists("/usr/bin/node") else None)
    if path is None:
        raise PeerError("node is not installed (tools/setup.sh installs it)")
    return path


def start_mosquitto(tmp, listeners, settings=("allow_anonymous true",)):
    """Starts mosquitto with `listeners`: (port, extra config lines) each, on 127.0.0.1, and the
    global config lines `settings` (anonymous clients allowed by default); returns the process once
    every port accepts (10 s at most)."""
    conf = os.path.join(tmp, "mosquitto.conf")
    with open(conf, "w") as f:
        for port, lines in listeners:
            f.write(f"listener {port} 127.0.0.1\n")
            for line in lines:
                f.write(line + "\n")
        for line in settings:
            f.write(line + "\n")
        f.write("persistence false\n")
    log = open(os.path.join(tmp, "mosquitto.log"), "w")
    proc = subprocess.Popen([mosquitto_path(), "-c", conf], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    for port, _ in listeners:
        if not wait_for_port(port, proc):
            stop(proc)
            with open(os.path.join(tmp, "mosquitto.log")) as f:
                raise PeerError(f"mosquitto did not accept on 127.0.0.1:{port} within 10 s: {f.read()[-2000:]}")
    return proc


def watch_lines(stream, lines, is_ready):
    """Reads `stream` on a thread, each line appended to `lines`; returns (the thread, an Event set
    at the first line for which is_ready(line) holds, or when the stream ends)."""
    ready = threading.Event()

    def read():
        for line in stream:
            lines.append(line)
            if is_ready(line):
                ready.set()
        ready.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, ready


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certs(tmp):
    """A CA and two server certificates it signs, made with the openssl command in `tmp`:
    server.pem for localhost and 127.0.0.1, other.pem for other.test only. Everything readable by
    all, as mosquitto started by root reads them as user mosquitto. Returns a dict of paths."""
    if shutil.which("openssl") is None:
        raise PeerError("the openssl command is not installed (apt-get install openssl)")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=mqtt-craft test CA", cwd=tmp)
    for name, san in (("server", "DNS:localhost,IP:127.0.0.1"), ("other", "DNS:other.test")):
        openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={san.split(',')[0][4:]}",
                cwd=tmp)
        with open(os.path.join(tmp, f"{name}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=tmp)
    os.chmod(tmp, 0o755)
    for f in os.listdir(tmp):
        os.chmod(os.path.join(tmp, f), 0o644)
    return {n: os.path.join(tmp, n) for n in ("ca.pem", "server.pem", "server.key", "other.pem", "other.key")}


def tls_listener_lines(certs, cert="server.pem", key="server.key"):
    return [f"cafile {certs['ca.pem']}", f"certfile {certs[cert]}", f"keyfile {certs[key]}"]


class Capture:
    """tcpdump on lo for one TCP port, into `path`: started and ready (its "listening on" line,
    10 s at most), stopped by pid with SIGINT (so it writes what it holds), 5 s at most."""

    def __init__(self, port, path):
        if shutil.which("tcpdump") is None:
            raise PeerError("tcpdump is not installed (apt-get install tcpdump)")
        self.path = path
        # -Z root: write the file as the user running the test (tcpdump drops to user tcpdump).
        self.proc = subprocess.Popen(["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-Z", "root",
                                      "-w", path, f"tcp port {port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.err = []
        self.reader, ready = watch_lines(self.proc.stderr, self.err, lambda line: "listening on" in line)
        if not ready.wait(10) or self.proc.poll() is not None:
            stop(self.proc, signal.SIGINT)
            raise PeerError("tcpdump did not start on lo: " + "".join(self.err)[-1000:])

    def stop(self, connections=1, timeout=5):
        """Waits (`timeout` s at most) until the file holds `connections` connections or more, each
        ended by a FIN or RST: tcpdump reads the kernel's buffer late on a busy machine, and
        what it has not read when SIGINT comes is lost. Then stops it."""
        deadline = time.monotonic() + timeout
        time.sleep(0.1)
        while time.monotonic() < deadline and not self._ended(connections):
            time.sleep(0.05)
        time.sleep(0.2)  # the last ACKs
        stop(self.proc, signal.SIGINT)
        self.reader.join(timeout=5)

    def _ended(self, connections):
        try:
            segments = read_pcap(self.path)
        except (OSError, struct.error, IndexError):  # a record half written
            return False
        opened = {(s[0], s[1]) for s in segments if (s[3] & 0x12) == 0x02}  # SYN without ACK: (client, server)
        ended = {(s[0], s[1]) for s in segments if s[3] & 0x05}
        ended |= {(s[1], s[0]) for s in segments if s[3] & 0x05}  # a FIN or RST from either side
        return len(opened) >= connections and opened <= ended


class NodePeer:
    """tests/craft/ws_peer.js: a WebSocket peer bridging to a plain broker (see its header)."""

    def __init__(self, tmp, port, broker_port, tls_port=None, certs=None):
        modules = NODE_MODULES
        if not os.path.isdir(os.path.join(modules, "ws")):
            raise PeerError(f"{os.path.join(modules, 'ws')} is missing: run tools/setup.sh (it installs the npm "
                            "packages aedes, ws and mqtt into tools/node/node_modules)")
        node = node_path()
        args = [node, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ws_peer.js"),
                "--modules", modules, "--port", str(port), "--broker", f"127.0.0.1:{broker_port}"]
        if tls_port:
            args += ["--tls-port", str(tls_port), "--key", certs["server.key"], "--cert", certs["server.pem"]]
        self.log_path = os.path.join(tmp, "ws_peer.log")
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        for p in [port] + ([tls_port] if tls_port else []):
            if not wait_for_port(p, self.proc):
                stop(self.proc)
                raise PeerError(f"the Node WebSocket peer did not accept on 127.0.0.1:{p}: {self.log()}")

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        stop(self.proc)


class Aedes:
    """aedes (an MQTT broker for Node) started by a script of tools/node on 127.0.0.1:`port`:
    aedes_tcp.js serves MQTT over TCP, aedes_ws.js over WebSocket at ws://127.0.0.1:PORT/mqtt. Ready
    once it prints its "listening" line (10 s at most); stopped by pid."""

    def __init__(self, port, script="aedes_tcp.js"):
        aedes = os.path.join(NODE_MODULES, "aedes")
        if not os.path.isdir(aedes):
            raise PeerError(f"{aedes} is missing: run tools/setup.sh (it installs the npm packages aedes, ws "
                            "and mqtt into tools/node/node_modules)")
        node = node_path()
        self.proc = subprocess.Popen([node, os.path.join(REPO, "tools", "node", script), "--port", str(port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.out = []
        self.reader, ready = watch_lines(self.proc.stdout, self.out, lambda line: line.startswith("listening"))
        if not ready.wait(10) or self.proc.poll() is not None:
            self.stop()
            raise PeerError(f"aedes did not print 'listening' within 10 s: {''.join(self.out)[-2000:]}")

    def stop(self):
        stop(self.proc)
        self.reader.join(timeout=5)


# --- pcap reading -------------------------------------------------------------------------------

def read_pcap(path):
    """The TCP segments of a classic pcap (Ethernet or raw IPv4, fragments reassembled): (src_port,
    dst_port, seq, flags, payload) each, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    segments = []
    fragments = {}  # (src, dst, id) -> {offset: data}
    at = 24
    while at + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[at:at + 16])
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        ip = frame[14:] if link == 1 else frame
        if link == 1 and frame[12:14] != b"\x08\x00":
            continue
        if not ip or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 0x0f) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        tcp = ip[ihl:total]
        flags_offset = struct.unpack(">H", ip[6:8])[0]
        if flags_offset & 0x3fff:  # a fragment: keep it until the last one, then join them
            key = (ip[12:16], ip[16:20], ip[4:6])
            parts = fragments.setdefault(key, {})
            parts[(flags_offset & 0x1fff) * 8] = tcp
            if flags_offset & 0x2000:
                continue
            del fragments[key]
            joined, need = bytearray(), 0
            for offset in sorted(parts):
                if offset != need:
                    break
                joined += parts[offset]
                need += len(parts[offset])
            tcp = bytes(joined)
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        offset = (tcp[12] >> 4) * 4
        segments.append((sport, dport, seq, tcp[13], tcp[offset:]))
    return segments


def tcp_stream(segments, dst_port=None, src_port=None):
    """The bytes of one direction (segments to `dst_port` or from `src_port`), in sequence order,
    each byte once."""
    chosen = [s for s in segments if (dst_port is None or s[1] == dst_port) and (src_port is None or s[0] == src_port)]
    if not chosen:
        return b""
    isn = min(s[2] for s in chosen if s[3] & 0x02) if any(s[3] & 0x02 for s in chosen) else min(s[2] for s in chosen) - 1
    out = bytearray()
    for _, _, seq, _, payload in sorted(chosen, key=lambda s: s[2]):
        start = seq - isn - 1
        if payload and start + len(payload) > len(out):
            out += payload[len(out) - start:] if start <= len(out) else b""
    return bytes(out)


def ws_frames(stream):
    """The frames of a WebSocket byte stream after its handshake head: (fin, opcode, masked,
    payload_length, payload unmasked) each; stops at a frame cut short."""
    head = stream.find(b"\r\n\r\n")
    at = head + 4 if head >= 0 else 0
    frames = []
    while at + 2 <= len(stream):
        b0, b1 = stream[at], stream[at + 1]
        length, at2 = b1 & 0x7f, at + 2
        if length == 126:
            length, at2 = struct.unpack(">H", stream[at2:at2 + 2])[0], at2 + 2
        elif length == 127:
            length, at2 = struct.unpack(">Q", stream[at2:at2 + 8])[0], at2 + 8
        key = stream[at2:at2 + 4] if b1 & 0x80 else None
        at2 += 4 if key else 0
        if at2 + length > len(stream):
            break
        payload = bytes(stream[at2 + i] ^ (key[i % 4] if key else 0) for i in range(length))
        frames.append((bool(b0 & 0x80), b0 & 0x0f, key is not None, length, payload))
        at = at2 + length
    return frames


def ws_messages(frames):
    """The data messages of `frames`: the payloads of a data frame and its continuations, joined."""
    messages, current = [], None
    for fin, opcode, _, _, payload in frames:
        if opcode in (1, 2):
            current = bytearray(payload)
        elif opcode == 0 and current is not None:
            current += payload
        else:
            continue
        if fin:
            messages.append(bytes(current))
            current = None
    return messages
