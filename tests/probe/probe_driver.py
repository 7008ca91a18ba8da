"""What the mqtt-probe test drivers of this folder share: the probe named on their command line and
the runs of it, check() and the failures it records, `--only` lists, the JSON of a `conform --json`
run, peers stopped when a block ends, tiny servers on 127.0.0.1 that stand in for a broker, and
main(). The real peers (mosquitto, aedes, the Node WebSocket peer) are tests/craft/peers.py's.
"""
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "craft"))
import peers  # noqa: E402  (tests/craft/peers.py)
from checks import check, verdict  # noqa: E402  (tests/craft/checks.py; drivers import check from here)

PROBE = None  # the mqtt-probe under test, set by main()


def probe(*args, timeout=60):
    """Runs mqtt-probe with `args` to its end (`timeout` seconds at most): its CompletedProcess, text."""
    return subprocess.run([PROBE, *args], capture_output=True, text=True, timeout=timeout)


def timed_probe(*args, timeout=60):
    """probe(), and the seconds it took."""
    start = time.monotonic()
    r = probe(*args, timeout=timeout)
    return r, time.monotonic() - start


def start_probe(*args, text=True):
    """Starts mqtt-probe with `args`, its stdout and stderr piped."""
    return subprocess.Popen([PROBE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text)


def stop_probe(proc, sig, seconds):
    """Sends `sig` to a probe started by start_probe and waits `seconds` at most for it to end (else
    kills it): (stdout, stderr, whether it ended by itself in time)."""
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=seconds)
        return out, err, True
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return out, err, False


def tool(name):
    """The path of the program `name` built beside the probe (mqtt-craft, mqtt-dissect)."""
    return os.path.join(os.path.dirname(os.path.abspath(PROBE)), name)


def script_bytes(craft_file):
    """The bytes the mqtt-craft script `craft_file` sends, by the mqtt-craft beside the probe
    (`-q script FILE --out hex`): (its CompletedProcess, the bytes)."""
    r = subprocess.run([tool("mqtt-craft"), "-q", "script", craft_file, "--out", "hex"], capture_output=True,
                       text=True, timeout=10)
    return r, bytes.fromhex(r.stdout.replace("\n", " "))


def only(cases):
    """`--only CASE` for each of `cases`."""
    return sum((["--only", c] for c in cases), [])


def conform_doc(r, name):
    """The JSON document a `conform --json` run `r` printed; an empty one (no cases, no summary) and
    a failed check naming `name` where stdout holds none."""
    try:
        return json.loads(r.stdout)
    except ValueError:
        check(False, f"{name}: one JSON document on stdout, got exit {r.returncode}: {r.stdout[:300]!r} {r.stderr!r}")
        return {"cases": [], "summary": {}}


def by_id(doc):
    """The cases of a conform JSON document by their id."""
    return {c["id"]: c for c in doc["cases"]}


@contextlib.contextmanager
def running(peer):
    """Yields `peer` (a process, or an object with stop()) and stops it when the block ends."""
    try:
        yield peer
    finally:
        if isinstance(peer, subprocess.Popen):
            peers.stop(peer)
        else:
            peer.stop()


@contextlib.contextmanager
def tls_mosquitto(tmp):
    """A mosquitto on 127.0.0.1 with a plain and a TLS listener, certificates made in `tmp` by openssl,
    and a second CA that did not sign them: yields (plain_port, tls_port, certs, other_ca, broker);
    the broker is stopped when the block ends."""
    os.chmod(tmp, 0o711)  # mosquitto started as root reads the certificates as user mosquitto
    broker_dir, other_dir = os.path.join(tmp, "broker"), os.path.join(tmp, "other")
    os.mkdir(broker_dir)
    os.mkdir(other_dir)
    certs = peers.make_certs(broker_dir)
    other_ca = peers.make_certs(other_dir)["ca.pem"]
    plain_port, tls_port = peers.free_port(), peers.free_port()
    listeners = [(plain_port, []), (tls_port, peers.tls_listener_lines(certs))]
    with running(peers.start_mosquitto(broker_dir, listeners)) as broker:
        yield plain_port, tls_port, certs, other_ca, broker


class Server:
    """A listener on 127.0.0.1:`port` whose connections each run `behaviour(conn, done)` on a
    thread (`done` is set by stop()); stop() closes everything (the threads end on the next socket
    error)."""

    def __init__(self, behaviour):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(64)
        self.srv.settimeout(0.2)
        self.port = self.srv.getsockname()[1]
        self.done = threading.Event()
        self.conns = []
        self.behaviour = behaviour
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.done.is_set():
            try:
                conn, _ = self.srv.accept()
            except OSError:
                continue
            self.conns.append(conn)
            threading.Thread(target=self.run, args=(conn,), daemon=True).start()

    def run(self, conn):
        try:
            self.behaviour(conn, self.done)
        except OSError:
            pass

    def stop(self):
        self.done.set()
        self.thread.join(timeout=5)
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self.srv.close()


def main(run):
    """A driver's main: takes the probe's path from the command line, calls `run()` (a peer that
    cannot start is a failure), says how many checks failed; the exit code, 1 if any did."""
    global PROBE
    PROBE = sys.argv[1]
    try:
        run()
    except peers.PeerError as e:
        check(False, str(e))
    return verdict()
