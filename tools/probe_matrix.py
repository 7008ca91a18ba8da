#!/usr/bin/env python3
"""The conformance matrix from mqtt-probe's JSON reports, one per broker (tools/probe-matrix.sh runs
the brokers and calls this).

    probe_matrix.py --reports DIR --out FILE --brokers mosquitto,aedes,... [--commit C] [--dirty N]
                    [--probe PATH] [--timeout MS] [--cases N]

DIR holds, per broker NAME: NAME.json (`mqtt-probe conform --json`) or NAME.unavailable (one line,
the reason), and NAME.version (one line). FILE gets the Markdown matrix; the text between the
HAND_BEGIN and HAND_END markers of an existing FILE (the broker bug write-ups) is kept as it is.
stdout gets the compact table for the top-level README: sections x brokers, "passed/run", where
run counts pass, fail and inconclusive (n/a cases did not run). Standard library only.
"""
import argparse
import datetime
import json
import os
import sys

HAND_BEGIN = "<!-- hand-written: begin (kept by tools/probe_matrix.py across reruns) -->"
HAND_END = "<!-- hand-written: end -->"
HAND_DEFAULT = "## Broker bugs\n\nNone written up yet.\n"
VERDICTS = ("pass", "fail", "n/a", "inconclusive")
SETUP = [
    "- mosquitto: Debian's `/usr/sbin/mosquitto`, a configuration of `listener PORT 127.0.0.1`, "
    "`allow_anonymous true`, no persistence.",
    "- aedes: `node tools/node/aedes_tcp.js --port PORT` (aedes' defaults, in-memory persistence).",
    "- rabbitmq: Debian's `rabbitmq-server` with the `rabbitmq_mqtt` plugin enabled by an enabled_plugins file, "
    "the AMQP listener off, `mqtt.allow_anonymous = true` (anonymous clients log in as guest), a unique node "
    "name, its own Erlang cookie and its own epmd on a loopback port.",
    "- activemq: Debian's `activemq` package run with java directly and a generated activemq.xml: one "
    "`mqtt://127.0.0.1:PORT` transportConnector, no persistence, no JMX. Debian 12's package ships the MQTT "
    "transport (`lib/activemq-mqtt.jar`) but not the codec it loads on the first connection "
    "(`org.fusesource.mqtt.codec`, packaged separately as `libmqtt-client-java`, which `activemq` does not "
    "depend on): as installed, the connector listens and every MQTT connection fails with "
    "`NoClassDefFoundError: org/fusesource/mqtt/codec/PINGRESP`, no CONNACK. The script installs "
    "`libmqtt-client-java` (1.16, the version ActiveMQ 5.17 is built against) and puts its jars and "
    "hawtdispatch's on the broker's classpath.",
]


def read_line(path):
    """The first line of path, stripped, or None when it does not exist."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().strip()
    except FileNotFoundError:
        return None


def load(reports, name):
    """{'name', 'version', 'report' (the parsed JSON) or None, 'reason' (why not) or None}."""
    b = {"name": name, "version": read_line(os.path.join(reports, name + ".version")) or "unknown",
         "report": None, "reason": read_line(os.path.join(reports, name + ".unavailable"))}
    path = os.path.join(reports, name + ".json")
    if b["reason"] is None:
        try:
            with open(path, encoding="utf-8") as f:
                b["report"] = json.load(f)
        except (OSError, ValueError) as e:
            b["reason"] = f"no report: {e}"
    return b


def sections_of(brokers):
    """Section names, 3.1.1 before 5.0 and otherwise in catalogue order, and the number of cases in
    each (the largest report's)."""
    order, size, version = [], {}, {}
    for b in brokers:
        counts = {}
        for c in (b["report"] or {}).get("cases", []):
            if c["section"] not in order:
                order.append(c["section"])
                version[c["section"]] = c.get("version", "")
            counts[c["section"]] = counts.get(c["section"], 0) + 1
        for s, n in counts.items():
            size[s] = max(size.get(s, 0), n)
    first = {s: i for i, s in enumerate(order)}
    return sorted(order, key=lambda s: (version[s], first[s])), size


def not_applicable(report):
    """The n/a cases as lines, one per distinct reason; a reason shared by every case of a protocol
    version is written as such rather than as a list of ids."""
    by_version = {}
    for c in report["cases"]:
        by_version.setdefault(c["version"], set()).add(c["id"])
    groups = {}
    for c in report["cases"]:
        if c["verdict"] == "n/a":
            groups.setdefault(c["detail"], []).append(c)
    lines = []
    for detail, cases in groups.items():
        ids = {c["id"] for c in cases}
        versions = {c["version"] for c in cases}
        if len(versions) == 1 and ids == by_version[next(iter(versions))]:
            what = f"every {next(iter(versions))} case ({len(ids)})"
        else:
            what = ", ".join(f"`{c['id']}`" for c in cases)
        lines.append(f"- n/a, {what}: {detail}")
    return lines


def tally(report, section=None):
    """{verdict: count} over the report's cases (of one section when given)."""
    t = dict.fromkeys(VERDICTS, 0)
    for c in report["cases"]:
        if section is None or c["section"] == section:
            t[c["verdict"]] = t.get(c["verdict"], 0) + 1
    return t


def cell(s):
    """s as one Markdown table cell."""
    return " ".join(str(s).split()).replace("|", "\\|")


def hand_written(out):
    """The hand-written block of an existing out file, markers excluded, or the default."""
    try:
        with open(out, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return HAND_DEFAULT
    begin, end = text.find(HAND_BEGIN), text.find(HAND_END)
    if begin < 0 or end < begin:
        return HAND_DEFAULT
    return text[begin + len(HAND_BEGIN):end].strip("\n") + "\n"


def compact(brokers, order):
    """The README table: sections x brokers, passed/run."""
    head = ["section"] + [b["name"] for b in brokers]
    rows = []
    for s in order + [None]:
        row = [s or "**all**"]
        for b in brokers:
            if b["report"] is None:
                row.append("unavailable")
                continue
            t = tally(b["report"], s)
            run = t["pass"] + t["fail"] + t["inconclusive"]
            row.append(f"{t['pass']}/{run}" if run or s is None else "–")
        rows.append(row)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


COMPACT_LEGEND = ("passed/run; run counts pass, fail and inconclusive; n/a cases (the broker refused the "
                  "preamble, e.g. it does not speak MQTT 5.0) did not run; –: none of the section ran.")


def markdown(args, brokers, order, size):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    dirty = f", with {args.dirty} uncommitted change(s) under tools/mqtt-probe, tools/mqtt-craft and dissector" \
        if args.dirty and args.dirty != "0" else ""
    built = ""
    try:
        mtime = datetime.datetime.fromtimestamp(os.stat(args.probe).st_mtime, datetime.timezone.utc)
        built = f", built {mtime:%Y-%m-%d %H:%M} UTC"
    except OSError:
        pass
    o = ["# Conformance matrix", "",
         f"`mqtt-probe conform` (the whole catalogue, {args.cases} cases, `--timeout {args.timeout}`) against four",
         "real brokers, each started by `tools/probe-matrix.sh` on 127.0.0.1 with a temporary configuration and",
         "stopped after its run. Generated by that script; rerun it rather than editing this file (only the",
         "\"Broker bugs\" section at the end is hand-written and kept across reruns).", "",
         f"- Date: {now}",
         f"- mqtt-probe: the source tree at commit `{args.commit}`{dirty}; binary `{args.probe_label}`{built}",
         "- Rerun (as root, so missing packages get installed): `tools/probe-matrix.sh` (about a minute)", "",
         "## Brokers", "",
         "| broker | version | cases | run time |", "|---|---|---|---|"]
    for b in brokers:
        r = b["report"]
        if r is None:
            o.append(f"| {b['name']} | {cell(b['version'])} | unavailable: {cell(b['reason'])} | – |")
        else:
            s = r["summary"]
            o.append(f"| {b['name']} | {cell(b['version'])} | {s['pass']} pass, {s['fail']} fail, "
                     f"{s['not_applicable']} n/a, {s['inconclusive']} inconclusive | {s['seconds']:.1f} s |")
    o += ["", "How each broker is run (all on 127.0.0.1, a free port, a temporary directory, as `nobody` when "
          "the script runs as root, anonymous clients):", ""] + SETUP
    o += ["", "## Cases per section", "",
          "Each cell: passed / failed / n-a / inconclusive. n/a: the broker refused the case's preamble "
          "(CONNECT), so it did not run; inconclusive: the standard allows what happened.", "",
          "| section | " + " | ".join(b["name"] for b in brokers) + " |",
          "|---|" + "---|" * len(brokers)]
    for s in order + [None]:
        row = [f"{s} ({size[s]})" if s else "**all**"]
        for b in brokers:
            if b["report"] is None:
                row.append("unavailable")
            else:
                t = tally(b["report"], s)
                row.append(" / ".join(str(t[v]) for v in VERDICTS))
        o.append("| " + " | ".join(row) + " |")
    o += ["", "The same as the table the README shows (" + COMPACT_LEGEND + "):", "",
          compact(brokers, order).rstrip("\n")]

    ran = [b for b in brokers if b["report"] is not None]
    if len(ran) > 1:
        fails = [{c["id"] for c in b["report"]["cases"] if c["verdict"] == "fail"} for b in ran]
        common = sorted(set.intersection(*fails))
        o += ["", f"Failing on every broker that ran ({', '.join(b['name'] for b in ran)}): "
              + (", ".join(f"`{i}`" for i in common) if common else "none") + "."]

    o += ["", "## Cases not passed, per broker", "",
          "The reproducer of any of them: `mqtt-probe conform --only ID --save DIR 127.0.0.1:PORT` writes",
          "DIR/ID.craft (an mqtt-craft script) and DIR/ID.pcap."]
    for b in brokers:
        o += ["", f"### {b['name']}", "", f"{b['version']}.", ""]
        if b["report"] is None:
            o.append(f"Unavailable: {b['reason']}")
            continue
        rest = [c for c in b["report"]["cases"] if c["verdict"] in ("fail", "inconclusive")]
        na = not_applicable(b["report"])
        if not rest and not na:
            o.append("Every case passed.")
            continue
        if na:
            o += na + [""]
        if not rest:
            continue
        o += ["| case | rule | verdict | expected | what happened |", "|---|---|---|---|---|"]
        for c in rest:
            happened = c.get("detail", "")
            if c.get("findings"):
                happened += "; broker: " + "; ".join(c["findings"])
            o.append(f"| `{c['id']}` | {cell(c['rule'])} ({cell(c['version'])}) | {c['verdict']} | "
                     f"{cell(c.get('expected', ''))} | {cell(happened)} |")
    o += ["", HAND_BEGIN, hand_written(args.out).rstrip("\n"), HAND_END, ""]
    return "\n".join(o)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reports", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--brokers", default="mosquitto,aedes,rabbitmq,activemq")
    p.add_argument("--commit", default="unknown")
    p.add_argument("--dirty", default="0")
    p.add_argument("--probe", default="mqtt-probe", help="the mqtt-probe binary run (for its build time)")
    p.add_argument("--timeout", default="2000")
    p.add_argument("--cases", default="?")
    args = p.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args.probe_label = os.path.relpath(args.probe, repo) if args.probe.startswith(repo + os.sep) else args.probe
    brokers = [load(args.reports, n) for n in args.brokers.split(",") if n]
    order, size = sections_of(brokers)
    text = markdown(args, brokers, order, size)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.out)
    sys.stdout.write(compact(brokers, order) + "\n" + COMPACT_LEGEND + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
