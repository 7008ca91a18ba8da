#!/usr/bin/python3
"""Live capture: mqtt-dissect -i lo against a real mosquitto, stopped with SIGINT.

usage: cli_live.py MQTT_DISSECT

Starts mosquitto on 127.0.0.1 at a free port (temporary config), starts
`mqtt-dissect -i lo -f 'tcp port P' --json --stats`, waits for its "listening on" line, publishes
one QoS 1 message with mosquitto_pub, waits until the DISCONNECT has been printed, sends SIGINT
and checks: exit status 0, CONNECT / CONNACK / PUBLISH / PUBACK / DISCONNECT of the publisher
printed with the right topic and client id, and the statistics as the last line. Every wait is
bounded. Exit 77 (skipped, with the reason) when this user may not capture on lo.
"""
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
WAIT = 15  # seconds, for each step


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, deadline):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def reader(stream, lines):
    for line in iter(stream.readline, b""):
        lines.put(line.decode("utf-8", errors="replace"))
    lines.put(None)


def main():
    binary = sys.argv[1]
    for tool in ("mosquitto", "mosquitto_pub"):
        if not shutil.which(tool):
            print(f"{tool} not found (apt install mosquitto mosquitto-clients)", file=sys.stderr)
            return 2
    port = free_port()
    topic = "mqttlens/live"
    with tempfile.TemporaryDirectory(prefix="mqttlens-live-") as tmp:
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        dissect = None
        try:
            if not wait_for_port(port, time.monotonic() + WAIT):
                print("mosquitto did not start listening", file=sys.stderr)
                return 1
            dissect = subprocess.Popen([binary, "-i", "lo", "-f", f"tcp port {port}", "--json",
                                        "--stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            err_lines, out_lines = queue.Queue(), queue.Queue()
            threading.Thread(target=reader, args=(dissect.stderr, err_lines), daemon=True).start()
            threading.Thread(target=reader, args=(dissect.stdout, out_lines), daemon=True).start()
            try:
                first = err_lines.get(timeout=WAIT)
            except queue.Empty:
                print("mqtt-dissect printed no 'listening on' line", file=sys.stderr)
                return 1
            if first is None or "listening on" not in first:
                dissect.wait(timeout=WAIT)
                if dissect.returncode == 2 and first and ("permitted" in first or "ermission" in first):
                    print(f"SKIP: cannot capture on lo here: {first.strip()}", file=sys.stderr)
                    return SKIP
                print(f"mqtt-dissect did not start capturing: {first!r}", file=sys.stderr)
                return 1
            subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-i", "live-pub",
                            "-q", "1", "-t", topic, "-m", "hello from the live test"],
                           check=True, timeout=WAIT)
            seen = []
            deadline = time.monotonic() + WAIT
            while not any(o.get("type") == "DISCONNECT" for o in seen):
                remaining = deadline - time.monotonic()
                line = out_lines.get(timeout=max(remaining, 0.01)) if remaining > 0 else None
                if line is None:
                    print(f"no DISCONNECT printed within {WAIT} s; got {seen}", file=sys.stderr)
                    return 1
                seen.append(json.loads(line))
            dissect.send_signal(signal.SIGINT)
            status = dissect.wait(timeout=WAIT)
            while True:
                line = out_lines.get(timeout=WAIT)
                if line is None:
                    break
                seen.append(json.loads(line))
        finally:
            if dissect is not None and dissect.poll() is None:
                dissect.kill()
                dissect.wait()
            broker.terminate()
            try:
                broker.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait()

    problems = []
    if status != 0:
        problems.append(f"exit status {status} after SIGINT, expected 0")
    packets = [o for o in seen if "type" in o]
    types = [p["type"] for p in packets]
    for wanted in ("CONNECT", "CONNACK", "PUBLISH", "PUBACK", "DISCONNECT"):
        if wanted not in types:
            problems.append(f"no {wanted} in {types}")
    connects = [p for p in packets if p["type"] == "CONNECT"]
    if connects and connects[0].get("client_id") != "live-pub":
        problems.append(f"CONNECT client_id {connects[0].get('client_id')!r}")
    publishes = [p for p in packets if p["type"] == "PUBLISH"]
    if publishes and (publishes[0].get("topic") != topic or publishes[0].get("qos") != 1):
        problems.append(f"PUBLISH {publishes[0]}")
    for p in packets:
        if p.get("src", "").split(":")[-1] != str(port) and p.get("dst", "").split(":")[-1] != str(port):
            problems.append(f"packet not on port {port}: {p}")
        if not p.get("valid"):
            problems.append(f"invalid packet from real clients: {p}")
    if not seen or "stats" not in seen[-1]:
        problems.append("the last line is not the statistics object")
    elif seen[-1]["stats"]["packets"]["total"]["packets"] != len(packets):
        problems.append(f"stats count {seen[-1]['stats']['packets']['total']} != {len(packets)} packets")
    for p in problems:
        print("FAIL:", p)
    print(f"{len(packets)} packets: {' '.join(types)}; exit {status}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
