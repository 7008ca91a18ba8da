#!/usr/bin/python3
"""mqtt-craft --send mqtts:// against a real mosquitto started here with TLS listeners on 127.0.0.1
(free high ports), using a CA and server certificates made with the openssl command in a temp dir:

- --cafile ca.pem: CONNECT, PUBLISH QoS 1, DISCONNECT get CONNACK and PUBACK, marked [TLS];
- --insecure without --cafile works (and says it is a risk); neither: exit 6, "not trusted",
  with --cafile and --insecure suggested;
- --tls-version 1.2 and 1.3 each negotiate that version;
- a certificate for another name: exit 6, "not for 127.0.0.1"; the plain port: exit 6;
  a listener that never answers the ClientHello: exit 5;
- --tls-keylog writes NSS key log lines that decrypt a tcpdump capture of the session (lo, the
  port only): mqtt-dissect --tls-port PORT --tls-keylog KEYS shows the CONNECT marked [TLS], for
  TLS 1.2 and 1.3.

Every peer is stopped by pid at the end; every wait is bounded.

Usage: send_tls_test.py PATH/TO/mqtt-craft PATH/TO/mqtt-dissect
"""
import os
import socket
import subprocess
import sys
import tempfile

import peers
from checks import check, json_lines, run_tool, verdict

CRAFT = DISSECT = None
def craft(*args):
    return run_tool(CRAFT, *args)


def session_tests(port, ca):
    url = f"mqtts://127.0.0.1:{port}"
    code, out, err = craft("--send", url, "--cafile", ca, "--json", "--delay", "200", "--wait", "500",
                           "connect", "--client-id", "tls-1", "+",
                           "publish", "--topic", "tls/t", "--payload", "over tls", "--qos", "1", "--packet-id", "4",
                           "+", "disconnect")
    rows = json_lines(out)
    got = [(r["direction"], r["type"]) for r in rows]
    check(code == 0 and got == [("c2s", "CONNECT"), ("s2c", "CONNACK"), ("c2s", "PUBLISH"), ("s2c", "PUBACK"),
                                ("c2s", "DISCONNECT")], f"--cafile: exit {code}, packets {got}, stderr {err!r}")
    check(all(r.get("transport") == "TLS" for r in rows), f"--cafile: every line marked TLS: {rows}")
    check(rows and rows[1].get("return_code") == 0 and rows[3].get("packet_id") == 4, f"--cafile: replies {rows}")
    check("verified for 127.0.0.1 against " + ca in err and "ALPN mqtt" in err, f"--cafile: stderr {err!r}")
    check("after our DISCONNECT" in err, f"--cafile: stderr {err!r}")

    code, out, err = craft("--send", url, "--insecure", "--wait", "300", "connect", "--client-id", "tls-2")
    check(code == 0 and "[TLS] CONNACK return_code=0" in out, f"--insecure: exit {code}, stdout {out!r}, stderr {err!r}")
    check("--insecure: the server's certificate and name are not checked" in err and "NOT verified" in err,
          f"--insecure: stderr {err!r}")

    code, out, err = craft("--send", url, "--wait", "300", "connect", "--client-id", "tls-3")
    check(code == 6 and out == "", f"system store: exit {code}, stdout {out!r}")
    check("TLS handshake failed: the server's certificate is not trusted by the system's store" in err and
          "--cafile FILE" in err and "--insecure" in err, f"system store: stderr {err!r}")

    for version, cipher_hint in (("1.2", "TLS 1.2 "), ("1.3", "TLS 1.3 ")):
        code, out, err = craft("--send", url, "--cafile", ca, "--tls-version", version, "--wait", "300",
                               "connect", "--client-id", "tls-v" + version)
        check(code == 0 and "CONNACK return_code=0" in out and cipher_hint in err,
              f"--tls-version {version}: exit {code}, stdout {out!r}, stderr {err!r}")

    # localhost is in the certificate too: verified by name, SNI sent.
    code, out, err = craft("--send", f"mqtts://localhost:{port}", "--cafile", ca, "--wait", "300", "connect")
    check(code == 0 and "verified for localhost" in err, f"localhost: exit {code}, stderr {err!r}")


def failure_tests(other_port, plain_port, ca):
    code, _, err = craft("--send", f"mqtts://127.0.0.1:{other_port}", "--cafile", ca, "--wait", "300", "connect")
    check(code == 6 and "not for 127.0.0.1" in err and "--insecure" in err, f"other name: exit {code}, stderr {err!r}")
    code, _, err = craft("--send", f"mqtts://127.0.0.1:{plain_port}", "--cafile", ca, "--wait", "300", "connect")
    check(code == 6 and "TLS handshake failed" in err and "TLS listener" in err,
          f"plain port: exit {code}, stderr {err!r}")
    code, _, err = craft("--send", f"mqtts://127.0.0.1:{peers.free_port()}", "--cafile", ca, "connect")
    check(code == 3 and "refused" in err, f"refused: exit {code}, stderr {err!r}")
    code, _, err = craft("--send", "mqtts://127.0.0.1", "connect")
    check(code == 2 and "has no port" in err, f"no port: exit {code}, stderr {err!r}")
    code, _, err = craft("--send", f"mqtt://127.0.0.1:{plain_port}", "--cafile", ca, "connect")
    check(code == 2 and "TLS option" in err, f"--cafile on mqtt://: exit {code}, stderr {err!r}")

    # Accepted by the kernel, never answered: the handshake runs into --connect-timeout (exit 5).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        code, _, err = craft("--send", f"mqtts://127.0.0.1:{silent.getsockname()[1]}", "--cafile", ca,
                             "--connect-timeout", "300", "connect")
        check(code == 5 and "the TLS handshake with" in err and "timed out after 300 ms" in err,
              f"silent listener: exit {code}, stderr {err!r}")


def keylog_tests(tmp, port, ca):
    for version in ("1.2", "1.3"):
        keys = os.path.join(tmp, f"keys-{version}.txt")
        pcap = os.path.join(tmp, f"tls-{version}.pcap")
        capture = peers.Capture(port, pcap)
        try:
            code, _, err = craft("--send", f"mqtts://127.0.0.1:{port}", "--cafile", ca, "--tls-version", version,
                                 "--tls-keylog", keys, "--delay", "100", "--wait", "300",
                                 "connect", "--client-id", f"keylog-{version}", "+",
                                 "publish", "--topic", "tls/k", "--payload", "secret", "+", "disconnect")
        finally:
            capture.stop()
        check(code == 0, f"keylog {version}: exit {code}, stderr {err!r}")
        lines = open(keys).read().splitlines() if os.path.exists(keys) else []
        labels = {line.split(" ")[0] for line in lines}
        want = {"CLIENT_RANDOM"} if version == "1.2" else {"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}
        check(want <= labels, f"keylog {version}: labels {labels}")
        check(os.path.exists(keys) and (os.stat(keys).st_mode & 0o077) == 0, f"keylog {version}: file mode")
        r = subprocess.run([DISSECT, "--tls-port", str(port), "--tls-keylog", keys, pcap], capture_output=True,
                           text=True, timeout=30)
        check(f'[TLS] CONNECT client_id="keylog-{version}"' in r.stdout and '[TLS] PUBLISH topic="tls/k"' in r.stdout,
              f"keylog {version}: mqtt-dissect did not decrypt the capture (exit {r.returncode}): "
              f"stdout {r.stdout[-1500:]!r} stderr {r.stderr[-500:]!r}")


def main():
    global CRAFT, DISSECT
    if len(sys.argv) != 3:
        print("usage: send_tls_test.py PATH/TO/mqtt-craft PATH/TO/mqtt-dissect")
        return 1
    CRAFT, DISSECT = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        broker = None
        try:
            certs = peers.make_certs(tmp)
            port, other_port, plain_port = peers.free_port(), peers.free_port(), peers.free_port()
            broker = peers.start_mosquitto(tmp, [(port, peers.tls_listener_lines(certs)),
                                                 (other_port, peers.tls_listener_lines(certs, "other.pem", "other.key")),
                                                 (plain_port, [])])
            session_tests(port, certs["ca.pem"])
            failure_tests(other_port, plain_port, certs["ca.pem"])
            keylog_tests(tmp, port, certs["ca.pem"])
        except peers.PeerError as e:
            print(f"FAIL: {e}")
            return 1
        finally:
            peers.stop(broker)
    return verdict("ok: mqtts:// with --cafile, --insecure, --tls-version 1.2 and 1.3, the failures and the key log")


if __name__ == "__main__":
    sys.exit(main())
