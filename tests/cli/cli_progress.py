#!/usr/bin/python3
"""The progress line: on a terminal, for a capture file over 10 MB, unless -q.

usage: cli_progress.py MQTT_DISSECT

Writes a 12 MB capture (corpus/captures/burst.pcap's records repeated) to a temporary file and
runs mqtt-dissect with stderr on a pseudo-terminal: a progress line (bytes, packets, rate) must
appear and be erased at the end. With -q, with stderr not a terminal, or for a small file, stderr
must stay empty. stdout goes to /dev/null throughout.
"""
import os
import struct
import subprocess
import sys
import tempfile

from pty_run import run_on_tty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BURST = os.path.join(ROOT, "corpus", "captures", "burst.pcap")
DEMO = os.path.join(ROOT, "corpus", "captures", "demo.pcap")


def big_capture(path, size):
    data = open(BURST, "rb").read()
    header, body = data[:24], data[24:]
    assert struct.unpack("<I", header[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D), "burst.pcap is not pcap"
    with open(path, "wb") as f:
        f.write(header)
        written = 24
        while written <= size:
            f.write(body)
            written += len(body)


def stderr_on_tty(args):
    return run_on_tty(args, "stderr", timeout=120)


def main():
    binary = sys.argv[1]
    problems = []
    with tempfile.TemporaryDirectory(prefix="mqttlens-progress-") as tmp:
        big = os.path.join(tmp, "big.pcap")
        big_capture(big, 12_000_000)

        status, err = stderr_on_tty([binary, big])
        if status not in (0, 1):
            problems.append(f"exit {status} on the big capture")
        if b"MQTT packets" not in err or b"MB/s" not in err or b" MB (" not in err:
            problems.append(f"no progress line on the terminal: {err[:200]!r}")
        if not err.endswith(b"\r\x1b[K"):
            problems.append(f"the progress line is not erased at the end: {err[-80:]!r}")

        status, err = stderr_on_tty([binary, "-q", big])
        if err:
            problems.append(f"-q still writes to stderr: {err[:200]!r}")

        status, err = stderr_on_tty([binary, DEMO])
        if err:
            problems.append(f"a small capture shows progress: {err[:200]!r}")

        proc = subprocess.run([binary, big], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=120)
        if proc.stderr:
            problems.append(f"progress on stderr that is not a terminal: {proc.stderr[:200]!r}")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
