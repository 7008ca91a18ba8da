#!/usr/bin/python3
"""mqtt-probe fuzz against a real mosquitto started here on 127.0.0.1 (a free port, its config in a
temp dir, stopped by pid): 300 cases of seed 1 run with no finding and exit 0, the JSON summary
counts them; the text summary names the seed; --duration bounds the run and every finding it makes
is saved as a .craft and a .pcap; SIGINT stops a run cleanly with its summary; a port nobody listens
on is exit 3 and a missing target exit 2. Every wait is bounded.

Usage: fuzz_mosquitto_test.py PATH/TO/mqtt-probe
"""
import json
import os
import signal
import sys
import tempfile
import time

from probe_driver import check, main, peers, probe, running, start_probe, stop_probe


def fuzz(*args, timeout=60):
    return probe("fuzz", *args, timeout=timeout)


def test_300_cases(port, tmp):
    save = os.path.join(tmp, "findings-300")
    r = fuzz(f"127.0.0.1:{port}", "--max-cases", "300", "--seed", "1", "--json", "--save", save)
    check(r.returncode == 0, f"300 cases of seed 1 against mosquitto: exit 0, got {r.returncode}: {r.stdout} {r.stderr}")
    doc = json.loads(r.stdout)
    check(doc["seed"] == 1 and doc["cases"] == 300, f"the summary counts 300 cases of seed 1: {doc}")
    check(doc["findings"] == [], f"no finding: {doc['findings']}")
    ends = doc["ends"]
    check(ends["closed"] + ends["reset"] + ends["bound"] == 300 and ends["refused"] == 0, f"every case ran: {ends}")
    check(ends["bound"] < 10, f"mosquitto ends (almost) every session itself after the half-close: {ends}")
    check(doc["broker_restarts"] == 0 and not doc["interrupted"], f"nothing else happened: {doc}")
    check(not os.path.exists(save), "nothing saved: the --save DIR it created is removed again when empty")


def test_text_summary_and_duration(port, tmp):
    save = os.path.join(tmp, "findings-duration")
    start = time.monotonic()
    r = fuzz(f"127.0.0.1:{port}", "--duration", "2", "--seed", "77", "--save", save, "--minimise-runs", "30")
    took = time.monotonic() - start
    check(r.returncode in (0, 1), f"--duration 2: exit 0 or 1, got {r.returncode}: {r.stderr}")
    check(took < 40, f"--duration 2 ends in bounded time (minimising included), took {took:.1f} s")
    check("seed 77" in r.stdout and "cases in" in r.stdout, f"the text summary names the seed: {r.stdout}")
    crafts = sorted(f for f in os.listdir(save) if f.endswith(".craft")) if os.path.isdir(save) else []
    findings = [l for l in r.stdout.splitlines() if l.startswith("  ")]
    check(len(crafts) == len(findings), f"each finding saved once: {crafts} {findings}")
    check((r.returncode == 1) == bool(findings), f"exit 1 exactly when there are findings: {r.returncode} {findings}")
    for c in crafts:
        check(os.path.exists(os.path.join(save, c[:-6] + ".pcap")), f"{c} has its pcap")
        check(all("crash" not in l and "liveness" not in l for l in findings), f"mosquitto stayed alive: {findings}")


def test_sigint(port, tmp):
    proc = start_probe("fuzz", f"127.0.0.1:{port}", "--duration", "30", "--seed", "3", "--json",
                       "--save", os.path.join(tmp, "findings-int"))
    time.sleep(1.5)
    out, err, ended = stop_probe(proc, signal.SIGINT, 30)
    if not check(ended, "SIGINT stops the run within 30 s"):
        return
    check(proc.returncode in (0, 1), f"SIGINT: exit 0 or 1, got {proc.returncode}: {err}")
    doc = json.loads(out)
    check(doc["interrupted"] and doc["cases"] > 0 and doc["seconds"] < 25, f"the summary after SIGINT: {doc}")


def test_bad_input(tmp):
    port = peers.free_port()
    start = time.monotonic()
    r = fuzz(f"127.0.0.1:{port}", "--max-cases", "10", "--save", os.path.join(tmp, "x"), timeout=30)
    check(r.returncode == 3 and "cannot fuzz" in r.stderr, f"nobody listening: exit 3, got {r.returncode} {r.stderr}")
    check(time.monotonic() - start < 10, "unreachable is said quickly")
    r = fuzz("--max-cases", "10", timeout=30)
    check(r.returncode == 2, f"no target: exit 2, got {r.returncode} {r.stderr}")


def run():
    with tempfile.TemporaryDirectory() as tmp:
        port = peers.free_port()
        with running(peers.start_mosquitto(tmp, [(port, [])])) as broker:
            test_300_cases(port, tmp)
            test_text_summary_and_duration(port, tmp)
            test_sigint(port, tmp)
            check(broker.poll() is None, "mosquitto still runs after the fuzzing")
        test_bad_input(tmp)


if __name__ == "__main__":
    sys.exit(main(run))
