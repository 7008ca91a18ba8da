#!/usr/bin/python3
"""mqtt-probe conform against a real aedes (tools/node/aedes_tcp.js, the npm package of
tools/node/package-lock.json) started here with node on 127.0.0.1 (a free port, its "listening"
line awaited 10 s at most, stopped by pid at the end): the verdicts of chosen cases known for
aedes 0.51.3, both those it passes and those where it breaks the standard (asserted as fail), the
3.1.1 behaviour cases it passes, every 5.0 case not applicable (aedes speaks 3.1.1 only: it answers
a level-5 CONNECT with CONNACK 0x01), the summary adding up, and the table once. Missing npm packages fail the test, naming tools/setup.sh.
Every wait is bounded.

Usage: conform_aedes_test.py PATH/TO/mqtt-probe
"""
import sys

from probe_driver import by_id, check, conform_doc, main, peers, probe, running, timed_probe

# aedes 0.51.3, found by running the catalogue against it (36 of its 49 3.1.1 cases pass; the 56 5.0
# cases are not applicable).
PASS = [
    "reserved-type-0", "remaining-length-malformed", "pingreq-flags", "pubrel-flags",
    "connect-reserved-flag", "connect-protocol-name", "connect-will-fields-missing", "connect-username-missing",
    "first-packet-not-connect", "second-connect",
    "publish-qos-3", "publish-topic-wildcard", "puback-same-id", "qos-2-flow", "retained-delivered",
    "subscribe-flags", "subscribe-filter-hash", "subscribe-qos-3", "suback-one-code-per-filter",
    "unsubscribe-flags", "unsuback-same-id", "pingreq-answered", "disconnect-flags",
]
# Where aedes 0.51.3 breaks the standard (docs/BROKER-FINDINGS.md): CONNECT checks it leaves out
# (answered CONNACK 0x00, the broker's own MQTT-3.1.4-1), a Protocol Level 6 refused by a bare close
# instead of CONNACK 0x01, packets it accepts instead of closing, and a DISCONNECT with Remaining
# Length 1 taken as a real one (the Will dropped).
FAIL = [
    "connect-protocol-level", "connect-will-qos-3", "connect-password-without-username",
    "connect-client-id-not-utf8", "connect-client-id-empty-persistent", "connect-trailing-bytes",
    "publish-dup-qos-0", "publish-topic-not-utf8", "publish-packet-id-zero", "subscribe-packet-id-zero",
    "unsubscribe-no-filters", "pingreq-length", "disconnect-length",
]
# The 3.1.1 behaviour cases: retained messages, QoS 1 and 2 deliveries, the Will, Keep Alive, sessions.
PASS_BEHAVIOUR = [
    "retained-cleared", "qos-1-delivery", "qos-2-delivery", "will-on-abrupt-close", "no-will-after-disconnect",
    "keep-alive-expiry", "session-present",
]
CONNACK_TO_BAD_CONNECT = ["connect-will-qos-3", "connect-password-without-username", "connect-client-id-not-utf8",
                          "connect-client-id-empty-persistent", "connect-trailing-bytes"]


def test_aedes(port):
    r, seconds = timed_probe("conform", f"127.0.0.1:{port}", "--json")
    check(seconds < 30, "the whole catalogue (its 5.0 cases not applicable) takes under 30 s")
    check(r.returncode == 1, f"some case fails against aedes 0.51.3: exit 1, got {r.returncode}: {r.stderr}")
    doc = conform_doc(r, "aedes")
    cases = by_id(doc)
    for case_id in PASS + PASS_BEHAVIOUR:
        check(cases.get(case_id, {}).get("verdict") == "pass", f"{case_id} passes: {cases.get(case_id)}")
    for case_id in FAIL:
        check(cases.get(case_id, {}).get("verdict") == "fail", f"{case_id} fails: {cases.get(case_id)}")
    for case_id in CONNACK_TO_BAD_CONNECT:
        check(any(f.startswith("MQTT-3.1.4-1 ") for f in cases.get(case_id, {}).get("findings", [])),
              f"{case_id}: the CONNACK to a malformed CONNECT is aedes' own MQTT-3.1.4-1: {cases.get(case_id)}")
    check(cases.get("connect-protocol-level", {}).get("detail") == "sent nothing, then closed the connection",
          f"Protocol Level 6 gets no CONNACK 0x01: {cases.get('connect-protocol-level')}")
    check(cases.get("publish-packet-id-zero", {}).get("detail", "").startswith("sent PUBACK id 0"),
          f"a PUBLISH with Packet Identifier 0 is acknowledged: {cases.get('publish-packet-id-zero')}")
    check(cases.get("disconnect-length", {}).get("detail", "").endswith("no PUBLISH within 2000 ms"),
          f"the Will is not sent after a DISCONNECT of Remaining Length 1: {cases.get('disconnect-length')}")
    s = doc["summary"]
    check(s["cases"] == len(doc["cases"]) == s["pass"] + s["fail"] + s["not_applicable"] + s["inconclusive"],
          f"the summary adds up: {s}")
    check(s["fail"] == sum(c["verdict"] == "fail" for c in doc["cases"]), f"the summary counts the failures: {s}")
    v5 = [c for c in doc["cases"] if c["version"] == "5.0"]
    check(len(v5) >= 40 and all(c["verdict"] == "n/a" for c in v5), f"every 5.0 case is n/a: {len(v5)} cases")
    no_v5 = "no MQTT 5.0: the broker did not accept a level-5 CONNECT: it sent CONNACK 0x01, then closed the connection"
    check(all(c["detail"] == no_v5 for c in v5), f"the 5.0 cases say why: {v5[:1]}")
    check(s["not_applicable"] == len(v5), f"aedes accepts every 3.1.1 preamble (anonymous, any client id): {s}")
    r = probe("conform", f"127.0.0.1:{port}")
    lines = r.stdout.splitlines()
    check(r.returncode == 1 and "3.1 CONNECT" in lines, f"table output: {r.returncode} {r.stdout[-2000:]}")
    check(any(l.split()[:2] == ["fail", "pingreq-length"] for l in lines), f"the table names a failing case: {r.stdout}")
    check(any(l.startswith(f"{s['cases']} cases: ") for l in lines), f"the table ends with the summary: {r.stdout}")


def run():
    port = peers.free_port()
    with running(peers.Aedes(port)):  # a missing npm package is a failure naming tools/setup.sh
        test_aedes(port)


if __name__ == "__main__":
    sys.exit(main(run))
