#!/usr/bin/python3
"""Robustness: mqtt-dissect on damaged copies of every committed capture.

usage: cli_robustness.py MQTT_DISSECT [VARIANTS]

For each capture in corpus/captures/ and corpus/captures/transport/ (TLS and WebSocket, read
with the key log beside each), VARIANTS (default 10) copies with random bytes changed
(editcap -E 0.02 --seed N) and VARIANTS copies cut at random lengths (seeded), each run in summary
and in --json --stats mode: the run must end within the time limit, by exiting (no signal, no
sanitizer report) with status 0, 1 or 2, and --json output must be one JSON object per line up to
any damage message. Each key log is also given damaged: every secret changed (each TLS connection
must say "wrong key" and the run exit 0) and cut in the middle of a line (a warning naming the
line, exit 0). Deterministic: the same seeds every run.
"""
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIME_LIMIT = 60  # seconds per run: a hang, not a slow run


def run(binary, args, path):
    proc = subprocess.run([binary] + args + [path], capture_output=True, timeout=TIME_LIMIT)
    problems = []
    if proc.returncode not in (0, 1, 2):
        problems.append(f"exit {proc.returncode}")
    if b"Sanitizer" in proc.stderr or b"runtime error" in proc.stderr:
        problems.append("sanitizer: " + proc.stderr.decode(errors="replace")[:400])
    if "--json" in args:
        for n, line in enumerate(proc.stdout.decode("utf-8", errors="strict").splitlines(), 1):
            try:
                if not isinstance(json.loads(line), dict):
                    raise ValueError("not an object")
            except ValueError as e:
                problems.append(f"line {n} is not a JSON object: {e}")
                break
    return problems


def transport_args(capture):
    """--tls-keylog NAME.keys when there is one; wss-* captures serve WebSocket on 443."""
    keys = os.path.splitext(capture)[0] + ".keys"
    args = ["--tls-keylog", keys] if os.path.exists(keys) else []
    return args + (["--ws-port", "443"] if os.path.basename(capture).startswith("wss-") else [])


def damaged_keys(binary, capture, tmp):
    """Problems running `capture` with its key log's secrets changed, and with the log cut."""
    keys = os.path.splitext(capture)[0] + ".keys"
    if not os.path.exists(keys):
        return []
    lines = open(keys).read().splitlines()
    wrong = os.path.join(tmp, "wrong.keys")
    with open(wrong, "w") as f:
        for line in lines:
            words = line.split()
            if len(words) == 3 and not line.startswith("#"):
                words[2] = words[2][:-1] + ("0" if words[2][-1] != "0" else "1")
            f.write(" ".join(words) + "\n")
    cut = os.path.join(tmp, "cut.keys")
    with open(cut, "w") as f:  # the lines before the middle one, then it cut inside its secret
        middle = len(lines) // 2
        words = lines[middle].split()
        f.write("\n".join(lines[:middle] + [" ".join(words[:2] + [words[2][:5]])]))
    problems = []
    ws = ["--ws-port", "443"] if os.path.basename(capture).startswith("wss-") else []
    proc = subprocess.run([binary, "--tls-keylog", wrong, *ws, capture], capture_output=True, timeout=TIME_LIMIT)
    tls = proc.stdout.count(b": TLS on port")
    wrong_lines = proc.stdout.count(b"wrong key for this client random")
    if proc.returncode != 0 or tls == 0 or wrong_lines != tls:
        problems.append(f"wrong keys: exit {proc.returncode}, {tls} TLS connections, {wrong_lines} 'wrong key' lines")
    proc = subprocess.run([binary, "--tls-keylog", cut, *ws, capture], capture_output=True, timeout=TIME_LIMIT)
    if proc.returncode != 0 or b"warning: " not in proc.stderr or b"cut.keys:" not in proc.stderr:
        problems.append(f"cut key log: exit {proc.returncode}, stderr {proc.stderr[:200]!r}")
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = sys.argv[1]
    variants = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    editcap = shutil.which("editcap")
    if not editcap:
        print("editcap not found (package tshark / wireshark-common)", file=sys.stderr)
        return 2
    captures = sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*"))) + sorted(
        glob.glob(os.path.join(ROOT, "corpus", "captures", "transport", "*.pcap*")))
    if not captures:
        print("no captures in corpus/captures", file=sys.stderr)
        return 2
    failures = runs = 0
    rng = random.Random(20261125)
    with tempfile.TemporaryDirectory(prefix="mqttlens-robust-") as tmp:
        for capture in captures:
            name = os.path.basename(capture)
            data = open(capture, "rb").read()
            damaged = []
            for seed in range(1, variants + 1):
                out = os.path.join(tmp, f"{seed}-flipped-{name}")
                flipped = subprocess.run([editcap, "-E", "0.02", "--seed", str(seed), capture, out],
                                         capture_output=True, timeout=60)
                if flipped.returncode != 0:  # editcap cannot write a pcapng with its secrets: flip here
                    noisy = bytearray(data)
                    flips = random.Random(seed)
                    for _ in range(max(1, len(data) // 50)):
                        at = flips.randrange(28, len(data))
                        noisy[at] ^= 1 << flips.randrange(8)
                    with open(out, "wb") as f:
                        f.write(noisy)
                damaged.append(out)
            for i in range(variants):
                cut = rng.randrange(1, len(data))
                out = os.path.join(tmp, f"cut{cut}-{name}")
                with open(out, "wb") as f:
                    f.write(data[:cut])
                damaged.append(out)
            for problem in damaged_keys(binary, capture, tmp):
                failures += 1
                print(f"FAIL {name}: {problem}")
            for path in damaged:
                for args in ([], ["--json", "--stats"]):
                    runs += 1
                    try:
                        problems = run(binary, transport_args(capture) + args, path)
                    except subprocess.TimeoutExpired:
                        problems = [f"no exit within {TIME_LIMIT} s"]
                    if problems:
                        failures += 1
                        kept = os.path.join(tempfile.gettempdir(), os.path.basename(path))
                        shutil.copy(path, kept)
                        print(f"FAIL {' '.join(args)} {kept}: {'; '.join(problems)}")
    print(f"{runs} runs on {len(captures)} captures x {2 * variants} damaged copies: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
