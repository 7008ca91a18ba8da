#!/usr/bin/python3
"""paho-mqtt (1.6.1) sessions for tools/make-captures.sh: what mosquitto_pub/sub cannot script.

Each step waits for its acknowledgement (bounded), so the MQTT packet sequence is fixed
even though TCP segmentation and timing are not.
Usage: paho_session.py HOST PORT {demo,keepalive,unsubscribe}
"""
import argparse
import sys
import threading
import time

import paho.mqtt.client as mqtt

STEP_TIMEOUT = 5.0


class Session:
    def __init__(self, host, port, client_id, keepalive=60, user=None, password=None, will=None):
        self.client = mqtt.Client(client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311)
        self.events = {}
        self.lock = threading.Condition()
        self.received = []
        if user:
            self.client.username_pw_set(user, password)
        if will:
            self.client.will_set(*will)
        self.client.on_connect = lambda c, u, f, rc: self._event("connack", rc)
        self.client.on_subscribe = lambda c, u, mid, qos: self._event(("suback", mid), qos)
        self.client.on_unsubscribe = lambda c, u, mid: self._event(("unsuback", mid), True)
        self.client.on_publish = lambda c, u, mid: self._event(("pubdone", mid), True)
        self.client.on_message = self._on_message
        self.pingresps = 0
        self.client.on_log = self._on_log
        self.client.connect(host, port, keepalive)
        self.client.loop_start()
        rc = self.wait("connack")
        if rc != 0:
            raise RuntimeError(f"CONNACK return code {rc}")

    def _event(self, key, value):
        with self.lock:
            self.events[key] = value
            self.lock.notify_all()

    def _on_message(self, client, userdata, msg):
        with self.lock:
            self.received.append((msg.topic, msg.qos, msg.payload))
            self.lock.notify_all()

    def _on_log(self, client, userdata, level, text):
        if text.startswith("Received PINGRESP"):
            with self.lock:
                self.pingresps += 1
                self.lock.notify_all()

    def wait_pings(self, count, timeout):
        """Stay idle until the keep-alive timer has produced count PINGREQ/PINGRESP rounds."""
        with self.lock:
            if not self.lock.wait_for(lambda: self.pingresps >= count, timeout):
                raise RuntimeError(f"timeout: {self.pingresps} of {count} PINGRESP")

    def wait(self, key):
        with self.lock:
            if not self.lock.wait_for(lambda: key in self.events, STEP_TIMEOUT):
                raise RuntimeError(f"timeout waiting for {key}")
            return self.events[key]

    def wait_received(self, count):
        with self.lock:
            if not self.lock.wait_for(lambda: len(self.received) >= count, STEP_TIMEOUT):
                raise RuntimeError(f"timeout: received {len(self.received)} of {count}")

    def subscribe(self, filters):
        rc, mid = self.client.subscribe(filters)
        return self.wait(("suback", mid))

    def unsubscribe(self, filters):
        rc, mid = self.client.unsubscribe(filters)
        self.wait(("unsuback", mid))

    def publish(self, topic, payload, qos=0, retain=False):
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        if qos:
            self.wait(("pubdone", info.mid))
        return info

    def disconnect(self):
        self.client.disconnect()
        self.client.loop_stop()


def demo(host, port):
    """The README's first capture: one client walking through every packet type."""
    s = Session(host, port, "demo-sensor", keepalive=2, user="alice", password="secret",
                will=("demo/status/demo-sensor", b"offline", 1, True))
    s.subscribe([("demo/+/temp", 2), ("alerts/#", 1)])
    s.publish("demo/kitchen/temp", b"21.5", qos=0)
    s.wait_received(1)
    s.publish("demo/kitchen/temp", b"21.7", qos=1)
    s.wait_received(2)
    s.publish("demo/kitchen/temp", b"22.0", qos=2)
    s.wait_received(3)
    s.publish("alerts/door/front", b"open", qos=1)
    s.wait_received(4)
    s.wait_pings(1, 5.0)  # idle past the 2 s keep-alive: PINGREQ / PINGRESP
    s.unsubscribe(["demo/+/temp", "alerts/#"])
    s.disconnect()


def unsubscribe(host, port):
    """SUBSCRIBE to overlapping filters, UNSUBSCRIBE one and then the rest (plus one never
    subscribed), publishing in between to show deliveries stop."""
    s = Session(host, port, "paho-unsub", keepalive=30)
    s.subscribe([("home/+/light", 0), ("home/#", 1)])
    s.publish("home/hall/light", b"on", qos=1)
    s.wait_received(1)  # matches both filters; mosquitto delivers one copy
    s.unsubscribe(["home/#"])
    s.publish("home/hall/light", b"off", qos=1)
    s.wait_received(2)  # still matches home/+/light
    s.unsubscribe(["home/+/light", "never/subscribed"])
    s.publish("home/hall/light", b"dim", qos=0)
    time.sleep(0.3)
    s.disconnect()
    print(f"unsubscribe: received {len(s.received)}")


def keepalive(host, port):
    """A 2 s keep-alive and nothing to say: two PINGREQ/PINGRESP rounds, then DISCONNECT."""
    s = Session(host, port, "paho-keepalive", keepalive=2)
    s.subscribe([("keepalive/#", 0)])
    s.wait_pings(2, 8.0)
    s.disconnect()


MODES = {"demo": demo, "unsubscribe": unsubscribe, "keepalive": keepalive}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=sorted(MODES))
    args = ap.parse_args()
    MODES[args.mode](args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
