#!/usr/bin/python3
"""Robustness: mqtt-dissect on damaged copies of every committed capture.

usage: cli_robustness.py MQTT_DISSECT [VARIANTS]

For each capture in corpus/captures/, VARIANTS (default 10) copies with random bytes changed
(editcap -E 0.02 --seed N) and VARIANTS copies cut at random lengths (seeded), each run in summary
and in --json --stats mode: the run must end within the time limit, by exiting (no signal, no
sanitizer report) with status 0, 1 or 2, and --json output must be one JSON object per line up to
any damage message. Deterministic: the same seeds every run.
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
    captures = sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*")))
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
                subprocess.run([editcap, "-E", "0.02", "--seed", str(seed), capture, out],
                               check=True, capture_output=True, timeout=60)
                damaged.append(out)
            for i in range(variants):
                cut = rng.randrange(1, len(data))
                out = os.path.join(tmp, f"cut{cut}-{name}")
                with open(out, "wb") as f:
                    f.write(data[:cut])
                damaged.append(out)
            for path in damaged:
                for args in ([], ["--json", "--stats"]):
                    runs += 1
                    try:
                        problems = run(binary, args, path)
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
