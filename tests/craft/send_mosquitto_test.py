#!/usr/bin/python3
"""mqtt-craft --send against a real mosquitto started here on 127.0.0.1 (free high port):
CONNECT gets CONNACK 0, SUBSCRIBE gets SUBACK, a PUBLISH on a subscribed topic comes back, a broken
packet makes the broker close the connection (exit 4), and refused (3) and timed-out (5)
connections are reported; in MQTT 5.0 (--protocol-version 5) a session with properties, subscription
options and topic aliases, and broken 5.0 packets answered by a DISCONNECT with its reason code.
The broker is always killed at the end. Every wait is bounded.

Usage: send_mosquitto_test.py PATH/TO/mqtt-craft
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import peers
from checks import check, json_lines, run_tool, verdict

CRAFT = None
free_port, wait_for_port = peers.free_port, peers.wait_for_port


def craft(*args):
    return run_tool(CRAFT, *args)


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_port6():
    with socket.socket(socket.AF_INET6) as s:
        s.bind(("::1", 0))
        return s.getsockname()[1]


def session_tests(port, port6):
    target = f"127.0.0.1:{port}"

    if port6 is not None:
        code, out, err = craft("--send", f"[::1]:{port6}", "--json", "--wait", "300", "connect",
                               "--client-id", "craft-v6")
        rows = [r for r in json_lines(out) if r.get("direction") == "s2c"]
        check(code == 0 and len(rows) == 1 and rows[0]["type"] == "CONNACK" and rows[0]["return_code"] == 0,
              f"IPv6: exit {code}, replies {rows}, stderr {err!r}")
        check(f"connected to [::1]:{port6}" in err, f"IPv6: stderr {err!r}")
    else:
        print("NOTE: no IPv6 loopback on this machine; the [::1] check did not run")

    # A whole session: CONNACK 0, SUBACK, our PUBLISH comes back, DISCONNECT ends it cleanly.
    code, out, err = craft("--send", target, "--json", "--delay", "200", "--wait", "500",
                           "connect", "--client-id", "craft-t1", "+",
                           "subscribe", "--filter", "craft/#:1", "--packet-id", "3", "+",
                           "publish", "--topic", "craft/x", "--payload", "hello", "--qos", "1",
                           "--packet-id", "9", "+", "disconnect")
    check(code == 0, f"session: exit {code}, stderr {err!r}")
    rows = json_lines(out)
    sent = [r for r in rows if r.get("direction") == "c2s"]
    got = [r for r in rows if r.get("direction") == "s2c"]
    check([r["type"] for r in sent] == ["CONNECT", "SUBSCRIBE", "PUBLISH", "DISCONNECT"],
          f"session: sent {[r['type'] for r in sent]}")
    connack = [r for r in got if r["type"] == "CONNACK"]
    check(len(connack) == 1 and connack[0]["return_code"] == 0, f"session: CONNACK {connack}")
    suback = [r for r in got if r["type"] == "SUBACK"]
    check(len(suback) == 1 and suback[0]["packet_id"] == 3 and suback[0]["return_codes"] == [1],
          f"session: SUBACK {suback}")
    echoed = [r for r in got if r["type"] == "PUBLISH"]
    check(len(echoed) == 1 and echoed[0]["topic"] == "craft/x" and echoed[0].get("payload") == "hello",
          f"session: PUBLISH back {echoed}")
    puback = [r for r in got if r["type"] == "PUBACK"]
    check(len(puback) == 1 and puback[0]["packet_id"] == 9, f"session: PUBACK {puback}")
    check("after our DISCONNECT" in err, f"session: stderr {err!r}")

    # Summary text: the shared printer's lines, one per packet each way.
    code, out, err = craft("--send", target, "--wait", "300", "connect", "--client-id", "craft-t2")
    check(code == 0, f"summary: exit {code}, stderr {err!r}")
    check("CONNECT" in out and "CONNACK return_code=0" in out, f"summary: stdout {out!r}")
    check("still open" in err, f"summary: stderr {err!r}")

    # A broken packet (wildcard in a PUBLISH topic): the broker closes; exit 4 names the packet.
    code, out, err = craft("--send", target, "--json", "--delay", "200", "--wait", "2000",
                           "connect", "--client-id", "craft-t3", "+", "publish", "--topic", "a/#")
    check(code == 4, f"broken publish: exit {code}, stderr {err!r}")
    check("closed the connection after packet 2 PUBLISH" in err, f"broken publish: stderr {err!r}")
    check("MQTT-3.3.2-2" in err, f"broken publish: the crafter names the rule: {err!r}")
    check(any(r.get("type") == "CONNACK" for r in json_lines(out)), f"broken publish: {out!r}")

    # A broken CONNECT (reserved flag): closed without a CONNACK.
    code, out, err = craft("--send", target, "--json", "--wait", "2000", "-q",
                           "connect", "--client-id", "craft-t4", "--reserved-flag")
    check(code == 4, f"reserved flag: exit {code}, stderr {err!r}")
    check(not any(r.get("direction") == "s2c" for r in json_lines(out)), f"reserved flag: {out!r}")
    check("closed the connection after packet 1 CONNECT" in err, f"reserved flag: stderr {err!r}")

    # Two CONNECTs: the conversation engine judges the session as it goes and names the second
    # one (MQTT-3.1.0-2) on its line; the first is clean, and so is mosquitto's one CONNACK.
    code, out, err = craft("--send", target, "--json", "--delay", "200", "--wait", "2000",
                           "connect", "--client-id", "craft-t6", "+", "connect", "--client-id", "craft-t6")
    rows = json_lines(out)
    sent = [r for r in rows if r.get("direction") == "c2s"]
    check(len(sent) == 2 and sent[0]["errors"] == [] and
          [e["code"] for e in sent[1]["errors"]] == ["second_connect"] and
          [e["rule"] for e in sent[1]["errors"]] == ["MQTT-3.1.0-2"],
          f"second connect: sent {sent}, stderr {err!r}")
    check(all(r["errors"] == [] for r in rows if r.get("direction") == "s2c"),
          f"second connect: replies {rows}")

    # Unsupported protocol level: CONNACK 1, then the broker closes.
    code, out, err = craft("--send", target, "--json", "--wait", "2000", "-q",
                           "connect", "--client-id", "craft-t5", "--protocol-level", "6")
    rows = [r for r in json_lines(out) if r.get("direction") == "s2c"]
    check(code == 4 and len(rows) == 1 and rows[0]["type"] == "CONNACK" and rows[0]["return_code"] == 1,
          f"level 6: exit {code}, replies {rows}, stderr {err!r}")


def v5_session_tests(port):
    """MQTT 5.0: the whole sequence in the 5.0 layout, the replies decoded as 5.0."""
    target = f"127.0.0.1:{port}"

    # CONNECT 5.0 with properties, SUBSCRIBE with options and an identifier, PUBLISH with a topic
    # alias and a user property, then by the alias alone; No Local keeps our own message away.
    code, out, err = craft("--send", target, "--json", "--delay", "200", "--wait", "500",
                           "--protocol-version", "5",
                           "connect", "--client-id", "craft-v5", "--session-expiry", "30",
                           "--receive-maximum", "20", "--topic-alias-maximum", "5", "--user-property", "who=craft", "+",
                           "subscribe", "--filter", "v5/#", "--qos", "1", "--retain-as-published",
                           "--subscription-identifier", "8", "+",
                           "subscribe", "--filter", "nl/t", "--no-local", "--packet-id", "2", "+",
                           "publish", "--topic", "v5/t", "--topic-alias", "2", "--user-property", "k=v",
                           "--qos", "1", "--packet-id", "9", "--payload", "hi", "+",
                           "publish", "--topic", "", "--topic-alias", "2", "--payload", "again", "+",
                           "publish", "--topic", "nl/t", "--payload", "not-back", "+",
                           "disconnect", "--reason-code", "0")
    check(code == 0, f"5.0 session: exit {code}, stderr {err!r}")
    rows = json_lines(out)
    sent = [r for r in rows if r.get("direction") == "c2s"]
    got = [r for r in rows if r.get("direction") == "s2c"]
    check(all(r["valid"] for r in rows), f"5.0 session: every packet valid as 5.0: {rows}")
    check(sent and sent[0]["protocol_level"] == 5 and
          sent[0]["properties"].get("session_expiry_interval") == 30 and
          sent[0]["properties"].get("user_properties") == [["who", "craft"]], f"5.0 session: CONNECT {sent[:1]}")
    connack = [r for r in got if r["type"] == "CONNACK"]
    check(len(connack) == 1 and connack[0]["reason_code"] == 0 and isinstance(connack[0].get("properties"), dict) and
          "topic_alias_maximum" in connack[0]["properties"], f"5.0 session: CONNACK {connack}")
    suback = [r for r in got if r["type"] == "SUBACK"]
    check([(r["packet_id"], r["return_codes"]) for r in suback] == [(1, [1]), (2, [0])],
          f"5.0 session: SUBACKs {suback}")
    echoed = [r for r in got if r["type"] == "PUBLISH"]
    check([(r["topic"], r.get("payload")) for r in echoed] == [("v5/t", "hi"), ("v5/t", "again")],
          f"5.0 session: PUBLISHes back (the alias resolved by the broker, nl/t not echoed) {echoed}")
    check(echoed and echoed[0]["properties"].get("subscription_identifiers") == [8] and
          echoed[0]["properties"].get("user_properties") == [["k", "v"]], f"5.0 session: properties back {echoed}")
    puback = [r for r in got if r["type"] == "PUBACK"]
    check(len(puback) == 1 and puback[0]["packet_id"] == 9, f"5.0 session: PUBACK {puback}")
    check("after our DISCONNECT" in err, f"5.0 session: stderr {err!r}")

    # Broken 5.0 packets: mosquitto answers with a DISCONNECT naming why, then closes (exit 4).
    for name, extra, reason in [("unknown property", ["--property", "0x7f=01"], 0x81),
                                ("non-minimal Property Length", ["--property-length-width", "2"], 0x81),
                                ("alias above the maximum", ["--topic-alias", "11"], 0x94)]:
        code, out, err = craft("--send", target, "--json", "--delay", "200", "--wait", "2000", "-q",
                               "--protocol-version", "5", "connect", "--client-id", "craft-v5b", "+",
                               "publish", "--topic", "v5/t", *extra)
        got = [r for r in json_lines(out) if r.get("direction") == "s2c"]
        check(code == 4 and [r["type"] for r in got] == ["CONNACK", "DISCONNECT"] and
              got[1].get("reason_code") == reason,
              f"5.0 {name}: exit {code}, replies {got}, stderr {err!r}")
        check("closed the connection after packet 2 PUBLISH" in err, f"5.0 {name}: stderr {err!r}")


def refused_and_timeout_tests():
    # Nothing listens on a port we just released: refused, exit 3.
    code, _, err = craft("--send", f"127.0.0.1:{free_port()}", "connect")
    check(code == 3 and "refused" in err, f"refused: exit {code}, stderr {err!r}")
    code, _, err = craft("--send", "no-such-host.invalid:1883", "connect")
    check(code == 3, f"unresolvable: exit {code}, stderr {err!r}")
    code, _, err = craft("--send", "127.0.0.1", "connect")
    check(code == 2, f"no port: exit {code}, stderr {err!r}")

    # A listener whose accept queue is full drops SYNs: the connect times out, exit 5.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):
                c = socket.socket()
                c.setblocking(False)
                try:
                    c.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
                fillers.append(c)
            code, _, err = craft("--send", f"127.0.0.1:{port}", "--connect-timeout", "300", "connect")
            check(code == 5 and "timed out" in err, f"timeout: exit {code}, stderr {err!r}")
        finally:
            for c in fillers:
                c.close()


def main():
    global CRAFT
    if len(sys.argv) != 2:
        print("usage: send_mosquitto_test.py PATH/TO/mqtt-craft")
        return 1
    CRAFT = sys.argv[1]
    mosquitto = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
    if mosquitto is None:
        print("FAIL: mosquitto is not installed (apt-get install mosquitto)")
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        port6 = free_port6() if ipv6_loopback() else None
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\n")
            if port6 is not None:
                f.write(f"listener {port6} ::1\n")
            f.write("allow_anonymous true\npersistence false\n")
        log = open(os.path.join(tmp, "mosquitto.log"), "w")
        broker = subprocess.Popen([mosquitto, "-c", conf], stdout=log, stderr=subprocess.STDOUT)
        try:
            if not wait_for_port(port, broker):
                print(f"FAIL: mosquitto did not accept on 127.0.0.1:{port} within 10 s")
                return 1
            if port6 is not None and not wait_for_port(port6, broker, "::1"):
                print(f"FAIL: mosquitto did not accept on [::1]:{port6} within 10 s")
                return 1
            session_tests(port, port6)
            v5_session_tests(port)
        finally:
            broker.terminate()
            try:
                broker.wait(timeout=5)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait(timeout=5)
            log.close()
        refused_and_timeout_tests()

    return verdict("ok: 3.1.1 and 5.0 sessions, broken packets, refused and timeout all reported as documented")


if __name__ == "__main__":
    sys.exit(main())
