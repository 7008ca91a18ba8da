#!/usr/bin/python3
"""mqtt-probe conform against a real mosquitto started here on 127.0.0.1 (a free port, its config in
a temp dir, stopped by pid): the verdicts of chosen cases known for mosquitto 2.0.11, 3.1.1 and 5.0
(it accepts 5.0, so the 5.0 cases run), breaking and behaviour cases, including those where it breaks
the standard (asserted as fail, docs/BROKER-FINDINGS.md); --list, --only, the --json shape, --junit
well-formed; --save writes a .craft and a .pcap for each failing case only, the script gives back the
bytes the probe sent (mqtt-craft script --out hex) and the pcap shows the exchange (mqtt-dissect), an
unwritable --save is exit 2; a mosquitto that refuses anonymous clients makes the preamble cases n/a; a fake broker
whose CONNACK breaks MQTT-3.2.2-1 is reported with that rule ID; a silent one gives n/a in bounded
time; an unreachable port gives exit 3 quickly. Every wait is bounded.

Usage: conform_mosquitto_test.py PATH/TO/mqtt-probe  (mqtt-craft and mqtt-dissect beside it)
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from probe_driver import Server, by_id, check, conform_doc, main, only, peers, probe, running, script_bytes, tool

# mosquitto 2.0.11, found by running the catalogue against it.
PASS = [
    "reserved-type-0", "remaining-length-malformed", "pubrel-flags",
    "connect-reserved-flag", "connect-protocol-level", "connect-will-qos-3", "connect-password-without-username",
    "connect-client-id-not-utf8", "connect-client-id-empty-persistent", "connect-trailing-bytes",
    "first-packet-not-connect", "second-connect",
    "publish-qos-3", "publish-topic-wildcard", "publish-packet-id-zero", "puback-same-id", "qos-2-flow",
    "retained-delivered",
    "subscribe-flags", "subscribe-no-filters", "subscribe-filter-hash", "subscribe-qos-reserved-bits",
    "suback-one-code-per-filter",
    "unsubscribe-no-filters", "unsuback-same-id", "pingreq-answered", "disconnect-flags", "disconnect-length",
]
# Where mosquitto 2.0.11 breaks the standard: it answers a PINGREQ whose flags are not 0000
# (MQTT-2.2.2-1) or whose Remaining Length is 1 (§3.12.1) with PINGRESP and keeps the connection,
# and accepts a QoS 0 PUBLISH with DUP 1 (MQTT-3.3.1-2).
FAIL = ["pingreq-flags", "pingreq-length", "publish-dup-qos-0"]
# Behaviour cases mosquitto 2.0.11 passes (3.1.1 and 5.0).
PASS_BEHAVIOUR = [
    "retained-cleared", "qos-1-delivery", "qos-2-delivery", "will-on-abrupt-close", "no-will-after-disconnect",
    "session-present", "v5-topic-alias", "v5-receive-maximum", "v5-session-expiry", "v5-will-on-disconnect-0x04",
    "v5-no-will-after-disconnect", "v5-suback-one-code-per-filter", "v5-pingreq-answered",
]
# 5.0 breaking cases it passes: closed, with or without DISCONNECT/CONNACK 0x81 or 0x82.
PASS_V5 = [
    "v5-reserved-type-0", "v5-remaining-length-malformed", "v5-pubrel-flags",
    "v5-connect-reserved-flag", "v5-connect-will-qos-3", "v5-connect-trailing-bytes", "v5-connect-property-repeated",
    "v5-connect-property-not-allowed", "v5-will-property-not-allowed", "v5-receive-maximum-zero",
    "v5-maximum-packet-size-zero", "v5-request-problem-information-2", "v5-second-connect",
    "v5-property-unknown", "v5-property-not-allowed", "v5-property-repeated", "v5-property-length-past-end",
    "v5-property-length-non-minimal", "v5-topic-alias-above-maximum", "v5-topic-alias-unmapped",
    "v5-topic-empty-without-alias", "v5-payload-format-invalid", "v5-publish-qos-3", "v5-publish-topic-wildcard",
    "v5-publish-packet-id-zero", "v5-subscribe-options-reserved", "v5-subscribe-retain-handling-3",
    "v5-subscribe-qos-3", "v5-subscription-identifier-zero", "v5-subscription-identifier-twice",
    "v5-subscribe-no-filters", "v5-subscribe-packet-id-zero", "v5-unsubscribe-no-filters", "v5-disconnect-flags",
    "v5-disconnect-session-expiry-after-zero", "v5-auth-without-method",
]
# Where mosquitto 2.0.11 breaks MQTT 5.0 (docs/BROKER-FINDINGS.md): the PINGREQ and DUP findings
# again; a non-minimal Remaining Length accepted (MQTT-1.5.5-1); Authentication Data without a
# method accepted (CONNACK 0x00); DISCONNECT 0x81 where §3.3.4 names 0x94 for Topic Alias 0; a
# client PUBLISH with a Subscription Identifier and No Local on a shared subscription accepted; the
# Will dropped after a DISCONNECT whose Reason Code is not 0x00 (0x80, and the invalid 0x01); the
# PUBLISH one above its Receive Maximum answered PUBREC 0x97 instead of DISCONNECT 0x93.
FAIL_V5 = [
    "v5-remaining-length-non-minimal", "v5-pingreq-flags", "v5-pingreq-length", "v5-auth-data-without-method",
    "v5-topic-alias-zero", "v5-subscription-identifier-from-client", "v5-publish-dup-qos-0",
    "v5-subscribe-no-local-shared", "v5-disconnect-reason-invalid", "v5-will-after-disconnect-0x80",
    "v5-receive-maximum-exceeded",
]
# mosquitto 2.0.11 closes a silent client with Keep Alive 1 anywhere between 1.5 s and 6 s
# (docs/BROKER-FINDINGS.md): pass or fail by the run, so only the bound on the case is asserted.
KEEP_ALIVE = ["keep-alive-expiry", "v5-keep-alive-expiry"]
# It refuses an Authentication Method it has no plugin for (CONNACK 0x8C): the case cannot run.
NOT_APPLICABLE = ["v5-auth-method-changed"]
# Cases run before CONNECT: they need no accepted preamble.
NO_PREAMBLE = ["connect-reserved-flag", "connect-protocol-level", "first-packet-not-connect"]


def verdicts(port, *extra):
    r = probe("conform", f"127.0.0.1:{port}", "--json", *extra)
    check(r.returncode in (0, 1), f"conform exits 0 or 1, got {r.returncode}: {r.stderr}")
    doc = conform_doc(r, f"127.0.0.1:{port}")
    return r, doc, by_id(doc)


def test_list():
    r = probe("conform", "--list")
    check(r.returncode == 0, f"--list exits 0, got {r.returncode}")
    lines = r.stdout.splitlines()
    check(len(lines) >= 35, f"--list prints the catalogue, got {len(lines)} lines")
    check(any(l.split()[:2] == ["connect-reserved-flag", "MQTT-3.1.2-3"] for l in lines), "--list names id and rule")
    r = probe("conform", "--list", "--only", "MQTT-3-8.3-4")
    ids = [l.split()[0] for l in r.stdout.splitlines()]
    check(ids == ["subscribe-qos-reserved-bits", "subscribe-qos-3"], f"--only RULE picks by rule: {ids}")
    r = probe("conform", "--list", "--only", "bogus")
    check(r.returncode == 2 and "bogus" in r.stderr, f"--only unknown is a usage error: {r.returncode} {r.stderr}")


def test_mosquitto(port, tmp):
    junit = os.path.join(tmp, "junit.xml")
    save = os.path.join(tmp, "saved", "cases")  # created by --save
    start = time.monotonic()
    r, doc, cases = verdicts(port, "--junit", junit, "-j", "8", "--save", save)
    check(time.monotonic() - start < 30, "the whole catalogue (3.1.1 and 5.0) takes under 30 s")
    check(r.returncode == 1, f"some case fails against mosquitto 2.0.11: exit 1, got {r.returncode}")
    for case_id in PASS + PASS_BEHAVIOUR + PASS_V5:
        check(cases.get(case_id, {}).get("verdict") == "pass", f"{case_id} passes: {cases.get(case_id)}")
    for case_id in FAIL + FAIL_V5:
        check(cases.get(case_id, {}).get("verdict") == "fail", f"{case_id} fails: {cases.get(case_id)}")
    for case_id in NOT_APPLICABLE:
        check(cases.get(case_id, {}).get("verdict") == "n/a", f"{case_id} is n/a: {cases.get(case_id)}")
    check(cases["pingreq-flags"]["detail"].startswith("sent PINGRESP"), "a fail says what happened instead")
    check_v5_details(cases)
    keys = {"id", "rule", "version", "section", "title", "expected", "verdict", "detail", "findings", "seconds"}
    check(all(set(c) == keys for c in doc["cases"]), "every JSON case has the documented keys")
    s = doc["summary"]
    check(s["cases"] == len(doc["cases"]) == s["pass"] + s["fail"] + s["not_applicable"] + s["inconclusive"],
          f"the summary adds up: {s}")
    root = ET.parse(junit).getroot()
    check(root.tag == "testsuites" and int(root.get("failures")) == s["fail"], "JUnit root counts the failures")
    names = [tc.get("name") for tc in root.iter("testcase")]
    check(len(names) == s["cases"], "one JUnit testcase per case")
    failed = [tc.get("name") for tc in root.iter("testcase") if tc.find("failure") is not None]
    failing = sorted(c["id"] for c in doc["cases"] if c["verdict"] == "fail")
    check(sorted(n.split()[0] for n in failed) == failing, f"JUnit failures are the failing cases: {failed}")
    check(set(failing) - set(KEEP_ALIVE) == set(FAIL + FAIL_V5), f"the failing cases are the known ones: {failing}")
    check_saved(save, port, [c["id"] for c in doc["cases"] if c["verdict"] in ("fail", "inconclusive")])
    r, _, only = verdicts(port, "--only", "pingreq-answered", "--only", "MQTT-3.1.2-3")
    # a rule ID picks the case of each version that numbers a rule so (3.1.1 and 5.0 share this one)
    check(sorted(only) == ["connect-reserved-flag", "pingreq-answered", "v5-connect-reserved-flag"] and
          r.returncode == 0, f"--only by case id and by rule runs just those, exit 0: {sorted(only)} {r.returncode}")
    r = probe("conform", "--only", "pingreq-flags", f"127.0.0.1:{port}")  # --only takes one value
    check(r.returncode == 1 and "2.2 Fixed header" in r.stdout and "fail" in r.stdout, f"table output: {r.stdout}")


def pcap_payloads(path):
    """The TCP payloads of a pcap of Ethernet/IPv4 frames: (client bytes, server bytes) of the
    conversation whose server port is 1883 and client port 50000 (connection 0)."""
    with open(path, "rb") as f:
        data = f.read()
    check(struct.unpack_from("<I", data, 0)[0] == 0xA1B2C3D4, f"{path} is a microsecond pcap")
    off, client, server = 24, b"", b""
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = frame[14:]
        tcp = ip[(ip[0] & 15) * 4:struct.unpack_from(">H", ip, 2)[0]]
        sport, dport = struct.unpack_from(">HH", tcp, 0)
        payload = tcp[(tcp[12] >> 4) * 4:]
        if (sport, dport) == (50000, 1883):
            client += payload
        elif (sport, dport) == (1883, 50000):
            server += payload
    return client, server


# What mqtt-dissect must show of each saved failing case, and the broker's bytes after its CONNACK.
SAVED = {
    "pingreq-flags": ("PINGREQ [error MQTT-2.2.2-1", bytes([0xD0, 0x00])),
    "pingreq-length": ("PINGREQ [error MQTT-§3.12.1", bytes([0xD0, 0x00])),
    "publish-dup-qos-0": ("dup payload_len=5 payload=\"probe\" [error MQTT-3.3.1-2", b""),
}


def check_v5_details(cases):
    """What the 5.0 verdicts say: the broker's 5.0 replies are named with their Reason Codes."""
    c = cases.get("v5-topic-alias-zero", {})
    check(c.get("detail") == "sent DISCONNECT 0x81, then closed the connection" and "0x94" in c.get("expected", ""),
          f"Topic Alias 0: DISCONNECT 0x81 where 0x94 is required: {c}")
    c = cases.get("v5-auth-data-without-method", {})
    check(any(f.startswith("MQTT-3.1.4-1 ") for f in c.get("findings", [])),
          f"a CONNACK 0x00 to a CONNECT with a Protocol Error is the broker's own MQTT-3.1.4-1: {c}")
    c = cases.get("v5-will-after-disconnect-0x80", {})
    check(c.get("detail", "").endswith("no PUBLISH \"will\" within 2000 ms"), f"no Will after DISCONNECT 0x80: {c}")
    c = cases.get("v5-receive-maximum-exceeded", {})
    check(c.get("detail", "").startswith("sent PUBREC id 21 0x97;"), f"PUBREC 0x97 (Quota exceeded), not a close: {c}")
    c = cases.get("v5-auth-method-changed", {})
    check("CONNACK 0x8C" in c.get("detail", ""), f"n/a names the refusal: {c}")
    for case_id in KEEP_ALIVE:
        c = cases.get(case_id, {})
        check(c.get("verdict") in ("pass", "fail") and c.get("seconds", 99) < 3.5,
              f"{case_id} ends within its 2.5 s bound: {c}")
    check(all(c["version"] == ("5.0" if c["id"].startswith("v5-") else "3.1.1") for c in cases.values()),
          "every case carries its version")


def check_saved(save, port, failing):
    """--save wrote a .craft and a .pcap per failing case, nothing for the others."""
    files = sorted(os.listdir(save)) if os.path.isdir(save) else []
    want = sorted(f"{c}.{ext}" for c in failing for ext in ("craft", "pcap"))
    check(files == want, f"--save writes a .craft and a .pcap for each failing case only: {files}")
    for case_id, (shown, after_connack) in SAVED.items():
        craft, pcap = os.path.join(save, case_id + ".craft"), os.path.join(save, case_id + ".pcap")
        if not (os.path.exists(craft) and os.path.exists(pcap)):
            continue
        with open(craft) as f:
            text = f.read()
        for head in [f"# mqtt-probe conform --save: case {case_id}, verdict fail", "# rule: MQTT-",
                     "# expected: close", "# happened: sent ", f"# broker: 127.0.0.1:{port}", "# date: 20"]:
            check(head in text, f"{case_id}.craft has the header line {head!r}: {text}")
        r, sent = script_bytes(craft)
        client, server = pcap_payloads(pcap)
        check(r.returncode == 0 and sent == client and len(client) > 2,
              f"{case_id}.craft gives the bytes the probe sent: {r.returncode} {r.stderr} {sent.hex()} "
              f"vs {client.hex()}")
        check(server == bytes([0x20, 0x02, 0x00, 0x00]) + after_connack,
              f"{case_id}.pcap holds the broker's bytes: {server.hex()}")
        r = subprocess.run([tool("mqtt-dissect"), pcap], capture_output=True, text=True, timeout=10)
        lines = r.stdout.splitlines()
        check(any("192.0.2.1:50000 → 192.0.2.2:1883 CONNECT " in l for l in lines) and
              any(shown in l for l in lines) and any("connection 0 ended: FIN" in l for l in lines),
              f"mqtt-dissect {case_id}.pcap shows the case's packets: {r.stdout} {r.stderr}")
        if after_connack:
            check(any("192.0.2.2:1883 → 192.0.2.1:50000 PINGRESP" in l for l in lines),
                  f"mqtt-dissect {case_id}.pcap shows mosquitto's PINGRESP: {r.stdout}")
        if shutil.which("tshark"):
            r = subprocess.run(["tshark", "-r", pcap], capture_output=True, text=True, timeout=30)
            check(r.returncode == 0 and "MQTT" in r.stdout, f"tshark reads {case_id}.pcap: {r.stdout} {r.stderr}")


def test_save_unwritable(port, tmp):
    not_dir = os.path.join(tmp, "a-file")
    with open(not_dir, "w") as f:
        f.write("x")
    for save in [not_dir, os.path.join(not_dir, "sub")]:
        start = time.monotonic()
        r = probe("conform", f"127.0.0.1:{port}", "--save", save)
        check(r.returncode == 2 and r.stderr.startswith(f"mqtt-probe: --save {save}") and r.stdout == "",
              f"an unwritable --save is a usage error before any case: {r.returncode} {r.stdout} {r.stderr}")
        check(time.monotonic() - start < 5, "an unwritable --save is reported before any case runs")


def test_refused_preamble(port, log_dir):
    """allow_anonymous false: the CONNACK to the preamble is 0x05, so those cases are n/a."""
    _, _, cases = verdicts(port, "--only", "pingreq-answered", "--only", "publish-qos-3", "--only", "session-present",
                           "--only", "v5-pingreq-answered", "--only", "v5-receive-maximum",
                           *only(NO_PREAMBLE))
    for case_id in ["pingreq-answered", "publish-qos-3"]:
        check(cases[case_id]["verdict"] == "n/a" and "CONNACK 0x05" in cases[case_id]["detail"],
              f"{case_id} is n/a when the preamble is refused: {cases[case_id]}")
    check(cases["session-present"]["verdict"] == "n/a" and "CONNACK 0x05" in cases["session-present"]["detail"],
          f"a case's own CONNECT refused makes it n/a: {cases['session-present']}")
    for case_id in ["v5-pingreq-answered", "v5-receive-maximum"]:
        check(cases[case_id]["verdict"] == "n/a" and cases[case_id]["detail"].startswith(
              "no MQTT 5.0: the broker did not accept a level-5 CONNECT: it sent CONNACK 0x87"),
              f"{case_id} is n/a when the level-5 CONNECT is refused: {cases[case_id]}")
    for case_id in NO_PREAMBLE:
        check(cases[case_id]["verdict"] == "pass", f"{case_id} needs no preamble: {cases[case_id]}")
    r, _, cases = verdicts(port, "--only", "pingreq-answered", "--only", "retained-delivered", "--only",
                           "v5-pingreq-answered", "--only", "v5-session-expiry", "--username", "probe",
                           "--password", "secret", "--client-id-prefix", "ci-x-")
    check(len(cases) == 4, f"four cases run: {sorted(cases)}")
    check(r.returncode == 0 and all(c["verdict"] == "pass" for c in cases.values()),
          f"--username/--password open the preamble: {cases}")
    with open(os.path.join(log_dir, "mosquitto.log")) as f:
        log = f.read()
    check(" as ci-x-pingreq-answered " in log and " as ci-x-retained-delivered-1 " in log,
          "--client-id-prefix names the clients")


def answer_once(answer):
    """A fake broker's behaviour: reads a client's first bytes and writes `answer` (None: never
    answers); the connection stays open."""
    def behaviour(conn, done):
        conn.settimeout(2)
        conn.recv(4096)
        if answer is not None:
            conn.sendall(answer)
    return behaviour


def test_fake_brokers():
    # CONNACK 0 with Session Present 1 to a Clean Session 1 CONNECT breaks MQTT-3.2.2-1.
    with running(Server(answer_once(bytes([0x20, 0x02, 0x01, 0x00])))) as server:
        _, _, cases = verdicts(server.port, "--only", "pingreq-answered", "--timeout", "300")
        c = cases["pingreq-answered"]
        check(c["verdict"] == "fail" and any(f.startswith("MQTT-3.2.2-1 ") for f in c["findings"]),
              f"the broker's own violation is reported with its rule ID: {c}")
    with running(Server(answer_once(None))) as server:
        port = server.port
        start = time.monotonic()
        _, _, cases = verdicts(port, "--only", "pingreq-answered", "--only", "connect-reserved-flag",
                               "--timeout", "300")
        check(time.monotonic() - start < 5, "a silent broker costs the step bound, not more")
        check(cases["pingreq-answered"]["verdict"] == "n/a", f"no CONNACK: n/a: {cases['pingreq-answered']}")
        check(cases["connect-reserved-flag"]["verdict"] == "fail" and "still open" in
              cases["connect-reserved-flag"]["detail"], f"no close: fail: {cases['connect-reserved-flag']}")


def test_unreachable():
    port = peers.free_port()
    start = time.monotonic()
    r = probe("conform", f"127.0.0.1:{port}", timeout=20)
    check(r.returncode == 3, f"refused: exit 3, got {r.returncode}")
    check(r.stderr.startswith(f"mqtt-probe: cannot connect to 127.0.0.1:{port}"), f"refused message: {r.stderr}")
    check(time.monotonic() - start < 5, "refused is reported quickly")
    r = probe("conform", f"wss://127.0.0.1:{port}/mqtt")
    check(r.returncode == 3 and r.stderr.startswith(f"mqtt-probe: cannot connect to wss://127.0.0.1:{port}/mqtt"),
          f"a wss:// target refused: exit 3, got {r.returncode} {r.stderr}")


def start_closed_mosquitto(tmp, port):
    """A mosquitto on 127.0.0.1:`port` that accepts only user "probe" with password "secret" (else
    CONNACK 0x05)."""
    # mosquitto started as root reads the file as user mosquitto: let it through the temp dirs.
    os.chmod(os.path.dirname(tmp), 0o711)
    os.chmod(tmp, 0o711)
    passwords = os.path.join(tmp, "passwords")
    subprocess.run(["mosquitto_passwd", "-c", "-b", passwords, "probe", "secret"], check=True, timeout=10,
                   capture_output=True)
    return peers.start_mosquitto(tmp, [(port, [])], settings=("allow_anonymous false", f"password_file {passwords}"))


def run():
    test_list()
    test_unreachable()
    test_fake_brokers()
    with tempfile.TemporaryDirectory() as tmp:
        port, closed_port = peers.free_port(), peers.free_port()
        open_dir, closed_dir = os.path.join(tmp, "open"), os.path.join(tmp, "closed")
        os.mkdir(open_dir)
        os.mkdir(closed_dir)
        with running(peers.start_mosquitto(open_dir, [(port, [])])):
            test_mosquitto(port, tmp)
            test_save_unwritable(port, tmp)
        with running(start_closed_mosquitto(closed_dir, closed_port)):
            test_refused_preamble(closed_port, closed_dir)


if __name__ == "__main__":
    sys.exit(main(run))
