#!/usr/bin/python3
"""mqtt-craft --out pcap read by tshark: every frame's IP and TCP checksums are good, no TCP
analysis warning fires, and every MQTT field tshark decodes equals what mqtt-craft was told to
write; the same again with every data segment cut into IP fragments (--ip-fragment 64), which
tshark reassembles. Fails (does not skip) when tshark is missing.

Usage: pcap_tshark_test.py PATH/TO/mqtt-craft
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

# (mqtt-craft arguments, fields tshark must show for that packet). Values as tshark -T json prints.
CASES = [
    (["connect", "--client-id", "c1", "--username", "u", "--password", "p", "--will-topic", "w/t",
      "--will-message", "bye", "--will-qos", "1", "--keep-alive", "30"],
     {"mqtt.msgtype": "1", "mqtt.protoname": "MQTT", "mqtt.ver": "4", "mqtt.kalive": "30",
      "mqtt.clientid": "c1", "mqtt.username": "u", "mqtt.passwd": "p", "mqtt.willtopic": "w/t",
      "mqtt.willmsg": "627965", "mqtt.conflag.qos": "1", "mqtt.conflag.cleansess": "1",
      "mqtt.conflags": "0xce"}),
    (["connack", "--return-code", "0"],
     {"mqtt.msgtype": "2", "mqtt.conack.val": "0", "mqtt.conack.flags.sp": "0"}),
    (["subscribe", "--filter", "a/#:1", "--filter", "b:2", "--packet-id", "3"],
     {"mqtt.msgtype": "8", "mqtt.msgid": "3", "mqtt.topic": ["a/#", "b"], "mqtt.sub.qos": ["1", "2"],
      "mqtt.hdrflags": "0x82"}),
    (["suback", "--packet-id", "3", "--return-code", "1", "--return-code", "0x80"],
     {"mqtt.msgtype": "9", "mqtt.msgid": "3", "mqtt.suback.qos": ["1", "128"]}),
    (["publish", "--topic", "a/b", "--payload", "hello", "--qos", "1", "--packet-id", "7", "--retain"],
     {"mqtt.msgtype": "3", "mqtt.topic": "a/b", "mqtt.msgid": "7", "mqtt.qos": "1", "mqtt.retain": "1",
      "mqtt.dupflag": "0", "mqtt.msg": "68656c6c6f", "mqtt.len": "12"}),
    (["puback", "--packet-id", "7", "--from-server"], {"mqtt.msgtype": "4", "mqtt.msgid": "7"}),
    (["publish", "--topic", "caf\\u{E9}/x", "--payload-hex", "00ff", "--qos", "2", "--packet-id", "8",
      "--dup"],
     {"mqtt.msgtype": "3", "mqtt.topic": "caf\u00e9/x", "mqtt.msgid": "8", "mqtt.qos": "2",
      "mqtt.dupflag": "1", "mqtt.msg": "00ff"}),
    (["pubrec", "--packet-id", "8", "--from-server"], {"mqtt.msgtype": "5", "mqtt.msgid": "8"}),
    (["pubrel", "--packet-id", "8"], {"mqtt.msgtype": "6", "mqtt.msgid": "8", "mqtt.hdrflags": "0x62"}),
    (["pubcomp", "--packet-id", "8", "--from-server"], {"mqtt.msgtype": "7", "mqtt.msgid": "8"}),
    # 5000 bytes: the packet spans four TCP segments; tshark reassembles it.
    (["publish", "--topic", "big", "--payload-size", "5000"],
     {"mqtt.msgtype": "3", "mqtt.topic": "big", "mqtt.qos": "0", "mqtt.len": "5005"}),
    (["publish", "--topic", "s/x", "--payload", "down", "--from-server"],
     {"mqtt.msgtype": "3", "mqtt.topic": "s/x", "mqtt.msg": "646f776e"}),
    (["unsubscribe", "--filter", "a/#", "--filter", "b", "--packet-id", "4"],
     {"mqtt.msgtype": "10", "mqtt.msgid": "4", "mqtt.topic": ["a/#", "b"], "mqtt.hdrflags": "0xa2"}),
    (["unsuback", "--packet-id", "4"], {"mqtt.msgtype": "11", "mqtt.msgid": "4"}),
    (["pingreq"], {"mqtt.msgtype": "12", "mqtt.len": "0"}),
    (["pingresp"], {"mqtt.msgtype": "13", "mqtt.len": "0"}),
    (["disconnect"], {"mqtt.msgtype": "14", "mqtt.len": "0"}),
]

SERVER_TYPES = {"2", "9", "11", "13"}


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def tshark_json(pcap, fields, display_filter=None):
    cmd = ["tshark", "-r", pcap, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
           "-T", "json"]
    if display_filter:
        cmd += ["-Y", display_filter]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail("tshark failed: " + r.stderr)
    return [p["_source"]["layers"] for p in json.loads(r.stdout or "[]")]


def main():
    if len(sys.argv) != 2:
        fail("usage: pcap_tshark_test.py PATH/TO/mqtt-craft")
    craft = sys.argv[1]
    if shutil.which("tshark") is None:
        fail("tshark is not installed (the CI setup installs it: apt-get install tshark)")

    for extra in ([], ["--ip-fragment", "64"]):
        check(craft, extra)


def check(craft, extra):
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "session.pcap")
        args = [craft, "--out", "pcap", "-o", pcap, "--port", "1883", *extra]
        for i, (case_args, _) in enumerate(CASES):
            if i:
                args.append("+")
            args += case_args
        r = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if r.returncode != 0 or r.stderr:
            fail(f"mqtt-craft exited {r.returncode}: {r.stderr}")

        # Every frame: IP checksum good (1), TCP checksum good where the frame shows TCP (a
        # fragment after the first carries none), no TCP analysis flag.
        frames = tshark_json(pcap, ["frame.number", "ip.checksum.status", "tcp.checksum.status",
                                    "tcp.analysis.flags", "tcp.srcport", "ip.flags.mf"])
        fragments = 0
        for f in frames:
            n = f["frame.number"][0]
            if f.get("ip.checksum.status") != ["1"]:
                fail(f"frame {n}: IP checksum status {f.get('ip.checksum.status')}")
            if f.get("tcp.checksum.status", ["1"]) != ["1"] or (not extra and "tcp.checksum.status" not in f):
                fail(f"frame {n}: TCP checksum status {f.get('tcp.checksum.status')}")
            if "tcp.analysis.flags" in f:
                fail(f"frame {n}: tshark flags a TCP problem")
            fragments += f.get("ip.flags.mf") == ["1"]
        if extra and fragments < 10:
            fail(f"--ip-fragment: only {fragments} frames with More Fragments")

        fields = sorted({k for _, exp in CASES for k in exp} | {"tcp.srcport"})
        packets = tshark_json(pcap, fields, "mqtt")
        if len(packets) != len(CASES):
            fail(f"{extra}: tshark sees {len(packets)} MQTT packets, mqtt-craft wrote {len(CASES)}")
        for (case_args, expected), got in zip(CASES, packets):
            for key, want in expected.items():
                want_list = want if isinstance(want, list) else [want]
                if got.get(key) != want_list:
                    fail(f"{' '.join(case_args)}: {key} is {got.get(key)}, expected {want_list}")
            from_server = expected["mqtt.msgtype"] in SERVER_TYPES or "--from-server" in case_args
            want_port = "1883" if from_server else "50000"
            if got.get("tcp.srcport") != [want_port]:
                fail(f"{' '.join(case_args)}: sent from port {got.get('tcp.srcport')}, expected {want_port}")
        print(f"ok {' '.join(extra)}: {len(frames)} frames ({fragments} more-fragments), "
              f"{len(packets)} MQTT packets agree with tshark")


if __name__ == "__main__":
    main()
