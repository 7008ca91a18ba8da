#!/usr/bin/python3
"""mqtt-probe fuzz --broker-cmd against a fake broker that crashes (tests/probe/data/
fuzz_crashing_broker.py: an AddressSanitizer-like report on stderr, then abort, on any packet of type
15 or PUBLISH with QoS bits 11): the probe starts it on a free 127.0.0.1 port, sees it die, keeps
its stderr in the finding, restarts it, and saves the crash once (with a count) as a minimised
mqtt-craft script and a pcap; no broker process is left behind. Then the same broker with --hang
(it stops answering instead, but not on its first replay): the liveness oracle finds it, the probe
kills and restarts the hung broker and saves the finding once a single session reproduces it. Then
SIGINT within one long batch against the broker with --harmless: the batch's violations are
findings. Bounded: runs of 1500 and 400 cases, and one stopped after 300 sessions (30 s at most).

Usage: fuzz_crash_test.py PATH/TO/mqtt-probe
"""
import json
import os
import signal
import sys
import tempfile
import time

from probe_driver import check, main, peers, probe, script_bytes, start_probe, stop_probe, tool

BROKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "fuzz_crashing_broker.py")


def broker_processes(port):
    """Pids of processes whose command line runs the fake broker on `port`."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "fuzz_crashing_broker.py" in cmd and f" {port}" in cmd:
            pids.append(int(pid))
    return pids


def replay_check(base):
    """The script gives back the bytes the pcap shows the probe sent, and they hold the planted bug."""
    craft = tool("mqtt-craft")
    if not os.path.exists(craft):
        print(f"note: {craft} not built, the script is not replayed")
        return
    r, sent = script_bytes(base + ".craft")
    client = peers.tcp_stream(peers.read_pcap(base + ".pcap"), dst_port=1883)
    check(r.returncode == 0 and sent == client, f"the script gives the bytes sent: {r.stderr} "
          f"{sent.hex()} vs {client.hex()}")
    firsts = []
    at = 0
    while at + 1 < len(sent):  # each packet's first byte, by its Remaining Length
        firsts.append(sent[at])
        value, shift, i = 0, 0, at + 1
        while i < len(sent):
            value |= (sent[i] & 0x7F) << shift
            shift += 7
            i += 1
            if not sent[i - 1] & 0x80:
                break
        at = i + value
    check(any(b >> 4 == 15 or (b >> 4 == 3 and b & 0x06 == 0x06) for b in firsts),
          f"the minimised session still holds the planted bug's packet: {sent.hex()}")


def test_hang():
    """The hang's first replay does not reproduce it (--flaky): the finding stands unreproduced
    until a later batch's hang is reproduced by one session, which then replaces it, minimised."""
    port = peers.free_port()
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "planted-seen")
        r = probe("fuzz", f"127.0.0.1:{port}", "--broker-cmd",
                  f"exec /usr/bin/python3 {BROKER} {port} --hang --flaky {state}",
                  "--max-cases", "400", "--seed", "1", "--minimise-runs", "12", "--timeout", "1000",
                  "--case-timeout", "200", "--json", "--save", os.path.join(tmp, "findings"), timeout=80)
        check(r.returncode == 1, f"a hang is a finding: exit 1, got {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        hangs = [f for f in doc["findings"] if f["kind"] == "liveness"]
        check(len(hangs) == 1 and hangs[0]["key"].startswith("liveness: no CONNACK within 1000 ms"),
              f"the hang is one liveness finding: {doc['findings']}")
        check(not [f for f in doc["findings"] if f["kind"] == "crash"], "a hang is no crash")
        check(doc["broker_restarts"] >= 1, f"the hung broker was restarted: {doc['broker_restarts']}")
        if hangs:
            check(hangs[0]["reproduced"] and hangs[0]["packets"] <= 3, f"reproduced later and minimised: {hangs[0]}")
            check(hangs[0]["count"] >= 2, f"the unreproduced first hang is counted too: {hangs[0]}")
            check(hangs[0]["saved_case"] >= 256 > hangs[0]["first_case"],
                  f"first drawn by the first batch, saved from a later one: {hangs[0]}")
            check(os.path.exists(hangs[0]["file"] + ".craft") and os.path.exists(hangs[0]["file"] + ".pcap"),
                  "the hang's reproducer is saved")
    left = broker_processes(port)
    check(not left, f"no hung broker left behind: {left}")


def test_interrupted():
    """SIGINT in the middle of a batch (one batch of 100,000 cases): the violations its sessions
    drew are findings all the same, saved without being run again."""
    port = peers.free_port()
    with tempfile.TemporaryDirectory() as tmp:
        count = os.path.join(tmp, "accepted")
        proc = start_probe("fuzz", f"127.0.0.1:{port}", "--broker-cmd",
                           f"exec /usr/bin/python3 {BROKER} {port} --harmless --count {count}", "--max-cases",
                           "100000", "--batch", "100000", "--seed", "1", "--json", "--save", os.path.join(tmp, "findings"))
        deadline = time.monotonic() + 30  # until 300 sessions have reached the broker
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with open(count) as f:
                    if int(f.read() or 0) >= 300:
                        break
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        out, err, ended = stop_probe(proc, signal.SIGINT, 30)
        if not check(ended, f"SIGINT ends the run within 30 s: {err}"):
            return
        check(proc.returncode == 1, f"the interrupted batch's violations are findings: exit 1, got {proc.returncode}: {err}")
        doc = json.loads(out)
        check(doc["interrupted"] and 0 < doc["cases"] < 100000, f"interrupted within the batch: {doc['cases']} cases")
        violations = [f for f in doc["findings"] if f["kind"] == "violation"]
        check(violations and all(f["minimise_runs"] == 0 and os.path.exists(f["file"] + ".craft") for f in violations),
              f"the batch's violations, saved as they were: {doc['findings']}")
    left = broker_processes(port)
    check(not left, f"no broker left behind after SIGINT: {left}")


def run():
    port = peers.free_port()
    with tempfile.TemporaryDirectory() as tmp:
        save = os.path.join(tmp, "findings")
        r = probe("fuzz", f"127.0.0.1:{port}", "--broker-cmd", f"exec /usr/bin/python3 {BROKER} {port}",
                  "--max-cases", "1500", "--seed", "1", "--minimise-runs", "40", "--json", "--save", save, timeout=80)
        check(r.returncode == 1, f"a crash is a finding: exit 1, got {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        crashes = [f for f in doc["findings"] if f["kind"] == "crash"]
        check(len(crashes) == 1, f"the planted crash is one finding, deduplicated: {doc['findings']}")
        check(doc["broker_restarts"] >= 1, f"the broker was restarted: {doc['broker_restarts']}")
        check(doc["cases"] == 1500, f"the run went on after the crash: {doc['cases']} cases")
        if crashes:
            c = crashes[0]
            check(c["count"] >= 1 and "SIGABRT" in c["key"] and "AddressSanitizer: fake" in c["key"],
                  f"the crash's key names the signal and the report's first line: {c}")
            check(c["reproduced"] and c["packets"] <= 3 and c["packets"] <= c["packets_before"],
                  f"minimised to a few packets: {c}")
            with open(c["file"] + ".craft") as f:
                text = f.read()
            lines = [l for l in text.splitlines() if l and not l.startswith("#")]
            check(1 <= len(lines) <= 3, f"the script holds few packets: {lines}")
            check("# stderr: ==4242==ERROR: AddressSanitizer: fake" in text, "the broker's stderr is in the finding")
            check("signal 6 (SIGABRT)" in text, "the finding says how the broker died")
            check(os.path.getsize(c["file"] + ".pcap") > 24, "the pcap holds the exchange")
            replay_check(c["file"])
    left = broker_processes(port)
    check(not left, f"no broker process left behind: {left}")
    test_hang()
    test_interrupted()


if __name__ == "__main__":
    sys.exit(main(run))
