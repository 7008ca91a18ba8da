#!/usr/bin/python3
"""libpcap and libcrypto are loaded when a run needs them, and only then.

usage: cli_lazy_libraries.py MQTT_DISSECT

The dynamic loader lists every library it opens under LD_DEBUG=files. A classic pcap file read
without a filter, with no TLS key and no WebSocket, opens neither; a pcapng, a BPF filter, or a
record the block reader hands back (longer than the snapshot length) opens libpcap; a key log or a
WebSocket handshake opens libcrypto. With both libraries unloadable (a directory of broken files
first on LD_LIBRARY_PATH): the classic pcap prints exactly what it prints otherwise; the pcapng
and the key log stop the run with exit 2 and a message naming the library; the WebSocket capture
is decoded as before, with a note that its Sec-WebSocket-Accept was not checked.
"""
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURES = os.path.join(ROOT, "corpus", "captures")
TRANSPORT = os.path.join(CAPTURES, "transport")


def run(binary, args, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run([binary] + args, capture_output=True, timeout=60, env=env)


def loaded(binary, args):
    """The libraries among libpcap and libcrypto that a run opens, and its exit status."""
    proc = run(binary, args, {"LD_DEBUG": "files"})
    text = proc.stderr.decode(errors="replace")
    names = {name for name in ("libpcap", "libcrypto") if f"file={name}." in text}
    return names, proc.returncode


def main():
    binary = sys.argv[1]
    failures = []

    def expect(what, got, want):
        if got != want:
            failures.append(f"{what}: got {got!r}, want {want!r}")

    demo = os.path.join(CAPTURES, "demo.pcap")
    with tempfile.TemporaryDirectory() as tmp:
        # demo.pcap with a snapshot length of 60: its longer records go back to libpcap.
        with open(demo, "rb") as f:
            data_demo = f.read()
        data = bytearray(data_demo)
        struct.pack_into("<I", data, 16, 60)
        short_snapshot = os.path.join(tmp, "snap60.pcap")
        with open(short_snapshot, "wb") as f:
            f.write(data)
        cases = [
            ("classic pcap", [demo], set()),
            ("classic pcap, JSON", ["--json", demo], set()),
            ("classic pcap, tree and hex", ["-V", "-x", demo], set()),
            ("classic pcap of 5.0", [os.path.join(CAPTURES, "mqtt5-session.pcap")], set()),
            ("TLS without keys", [os.path.join(TRANSPORT, "tls13-mosquitto.pcap")], set()),
            ("pcapng", [os.path.join(CAPTURES, "retained.pcapng")], {"libpcap"}),
            ("BPF filter", ["-f", "tcp", demo], {"libpcap"}),
            ("record longer than the snapshot", [short_snapshot], {"libpcap"}),
            ("TLS with a key log", ["--tls-keylog", os.path.join(TRANSPORT, "tls13-mosquitto.keys"),
                                    os.path.join(TRANSPORT, "tls13-mosquitto.pcap")], {"libcrypto"}),
            ("WebSocket", [os.path.join(TRANSPORT, "ws-aedes.pcap")], {"libcrypto"}),
        ]
        # Standard input at the file's start is read in blocks; part-way through a file (demo.pcap
        # after another whole capture), libpcap reads it from there, and prints the same.
        with open(demo, "rb") as f:
            plain = subprocess.run([binary, "-"], stdin=f, capture_output=True, timeout=60, env=dict(os.environ, LD_DEBUG="files"))
        expect("standard input at the start: libpcap opened", b"file=libpcap." in plain.stderr, False)
        shifted = os.path.join(tmp, "shifted.pcap")
        with open(os.path.join(CAPTURES, "qos-wildcards.pcap"), "rb") as f:
            first = f.read()
        with open(shifted, "wb") as f:
            f.write(first + data_demo)
        with open(shifted, "rb") as f:
            f.seek(len(first))
            moved = subprocess.run([binary, "-"], stdin=f, capture_output=True, timeout=60)
        expect("standard input part-way through a file: output", moved.stdout, plain.stdout)
        expect("standard input part-way through a file: exit", moved.returncode, plain.returncode)
        for what, args, want in cases:
            names, status = loaded(binary, args)
            expect(what + ": libraries opened", names, want)
            expect(what + ": exit status", status in (0, 1), True)

        # Neither library can be loaded.
        broken = os.path.join(tmp, "broken")
        os.mkdir(broken)
        for name in ("libpcap.so.0.8", "libpcap.so.1", "libcrypto.so.3"):
            with open(os.path.join(broken, name), "w") as f:
                f.write("not a library\n")
        without = {"LD_LIBRARY_PATH": broken}
        normal, alone = run(binary, [demo]), run(binary, [demo], without)
        expect("classic pcap without the libraries: output", alone.stdout, normal.stdout)
        expect("classic pcap without the libraries: exit", alone.returncode, normal.returncode)
        # The short-snapshot copy reads up to its first long record, then needs libpcap.
        snap, snap_alone = run(binary, [short_snapshot]), run(binary, [short_snapshot], without)
        before = [line for line in snap.stdout.splitlines() if int(line.split()[0]) < 6]
        expect("handed back without libpcap: exit", snap_alone.returncode, 2)
        expect("handed back without libpcap: what came before", snap_alone.stdout.splitlines()[:len(before)], before)
        expect("handed back without libpcap: message",
               b"snap60.pcap: cannot read on after record " in snap_alone.stderr and
               b"reading this capture needs libpcap: cannot load libpcap" in snap_alone.stderr, True)
        ng = run(binary, [os.path.join(CAPTURES, "retained.pcapng")], without)
        expect("pcapng without libpcap: exit", ng.returncode, 2)
        expect("pcapng without libpcap: message", b"reading this capture needs libpcap: cannot load libpcap" in ng.stderr, True)
        tls = run(binary, ["--tls-keylog", os.path.join(TRANSPORT, "tls13-mosquitto.keys"),
                           os.path.join(TRANSPORT, "tls13-mosquitto.pcap")], without)
        expect("key log without libcrypto: exit", tls.returncode, 2)
        expect("key log without libcrypto: nothing printed", tls.stdout, b"")
        expect("key log without libcrypto: message", b"decrypting TLS needs libcrypto: cannot load libcrypto.so.3" in tls.stderr, True)
        ws_path = os.path.join(TRANSPORT, "ws-aedes.pcap")
        ws_normal, ws_alone = run(binary, [ws_path]), run(binary, [ws_path], without)
        note = b"Sec-WebSocket-Accept not checked: cannot load libcrypto.so.3"
        expect("WebSocket without libcrypto: the note", note in ws_alone.stdout, True)
        kept = b"\n".join(line for line in ws_alone.stdout.splitlines() if note not in line) + b"\n"
        expect("WebSocket without libcrypto: everything else", kept, ws_normal.stdout)
        expect("WebSocket without libcrypto: exit", ws_alone.returncode, ws_normal.returncode)

    for f in failures:
        print("FAIL", f)
    print(f"{len(cases)} runs checked for the libraries they open; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
