#!/usr/bin/python3
"""--threads 2 (the default: output formatted on a second thread) prints exactly what --threads 1
prints: the same stdout and stderr, byte for byte, and the same exit status.

usage: cli_threads.py MQTT_DISSECT

Every committed capture in several output modes and filters, plus each capture cut short in the
middle (the damage message must come after everything decoded before it). burst.pcap has 8,000
packets, so batches are handed over many times; large-payload.pcap has a packet larger than an
arena block.
"""
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODES = [
    [],
    ["--json"],
    ["-V", "-x"],
    ["--json", "-x", "--payload-max", "0"],
    ["--stats"],
    ["--json", "--stats"],
    ["--errors-only"],
    ["--type", "PUBLISH,SUBACK", "--color", "always"],
    ["--topic", "#", "--strict"],
]


def run(binary, args):
    proc = subprocess.run([binary] + args, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    binary = sys.argv[1]
    if len(os.sched_getaffinity(0)) < 2:
        # mqtt-dissect uses one thread on one CPU whatever --threads says: nothing to compare.
        print("SKIPPED: one CPU available, so --threads 2 runs on one thread")
        return 77
    captures = sorted(glob.glob(os.path.join(ROOT, "corpus", "captures", "*.pcap*")))
    if not captures:
        print("no captures found under corpus/captures")
        return 1
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = list(captures)
        for path in captures:
            data = open(path, "rb").read()
            cut = os.path.join(tmp, "cut-" + os.path.basename(path))
            with open(cut, "wb") as f:
                f.write(data[: len(data) * 2 // 3])
            inputs.append(cut)
        for path in inputs:
            for mode in MODES:
                one = run(binary, ["--threads", "1"] + mode + [path])
                two = run(binary, ["--threads", "2"] + mode + [path])
                checked += 1
                if one != two:
                    failures += 1
                    what = [name for name, a, b in zip(("exit", "stdout", "stderr"), one, two) if a != b]
                    print(f"DIFFERENT {' '.join(what)}: {os.path.basename(path)} {' '.join(mode)}")
                elif not one[1] and not {"--errors-only", "--type", "--topic"} & set(mode):
                    failures += 1
                    print(f"NO OUTPUT: {os.path.basename(path)} {' '.join(mode)}")
    print(f"{checked} runs compared, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
