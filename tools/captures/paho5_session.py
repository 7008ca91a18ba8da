#!/usr/bin/python3
"""paho-mqtt (1.6.1) MQTT 5.0 sessions for tools/make-captures.sh (mqtt5-paho.pcap).

A real 5.0 client library against a real broker, every step waiting (bounded) for its answer so
the packet sequence is fixed: CONNECT and CONNACK properties, a SUBSCRIBE with options and a
Subscription Identifier, PUBLISH at QoS 0, 1 and 2 with properties and a Topic Alias, an
UNSUBSCRIBE, a DISCONNECT with a reason code and properties, a session taken over by a second
connection with the same Client Identifier (mosquitto 2.0.11 closes the first without a
DISCONNECT 0x8E), and a CONNACK that refuses an unknown Authentication Method (0x8C). Nothing in
it breaks a rule.
Usage: paho5_session.py HOST PORT
"""
import argparse
import sys

import paho_events

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCodes
from paho.mqtt.subscribeoptions import SubscribeOptions

STEP_TIMEOUT = 5.0


def properties(packet_type, **values):
    p = Properties(packet_type)
    for name, value in values.items():
        setattr(p, name, value)
    return p


class Client(paho_events.Waiter):
    """One paho MQTT 5.0 client whose callbacks become events a step can wait for."""

    def __init__(self, client_id):
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
        paho_events.Waiter.__init__(self, STEP_TIMEOUT)
        c = self.client
        c.on_connect = lambda _c, _u, _flags, rc, _p: self._event("connack", rc.value)
        c.on_subscribe = lambda _c, _u, mid, _rcs, _p: self._event(("suback", mid), True)
        c.on_unsubscribe = lambda _c, _u, mid, _p, _rcs: self._event(("unsuback", mid), True)
        c.on_publish = lambda _c, _u, mid: self._event(("published", mid), True)
        c.on_message = self._on_message
        c.on_disconnect = lambda _c, _u, rc, _p: self._event("disconnected", getattr(rc, "value", rc))

    def connect(self, host, port, connect_properties=None):
        self.client.connect(host, port, keepalive=60, clean_start=True, properties=connect_properties)
        self.client.loop_start()
        return self.wait("connack")

    def publish(self, topic, payload, qos, publish_properties):
        info = self.client.publish(topic, payload, qos, properties=publish_properties)
        self.wait(("published", info.mid))

    def stop(self):
        self.client.loop_stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    args = ap.parse_args()
    host, port = args.host, args.port

    sub = Client("paho5-sub")
    rc = sub.connect(host, port, properties(PacketTypes.CONNECT, ReceiveMaximum=10, TopicAliasMaximum=5,
                                            SessionExpiryInterval=0, UserProperty=("app", "paho5")))
    assert rc == 0, rc
    _, mid = sub.client.subscribe("paho5/#", options=SubscribeOptions(qos=2, retainAsPublished=True),
                                  properties=properties(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=9))
    sub.wait(("suback", mid))

    pub = Client("paho5-pub")
    assert pub.connect(host, port, properties(PacketTypes.CONNECT, RequestProblemInformation=1)) == 0
    pub.publish("paho5/alias", b"qos 1 with an alias", 1,
                properties(PacketTypes.PUBLISH, TopicAlias=1, MessageExpiryInterval=60,
                           UserProperty=("unit", "C")))
    pub.publish("paho5/alias", b"qos 2, the alias again", 2,
                properties(PacketTypes.PUBLISH, TopicAlias=1, PayloadFormatIndicator=1, ContentType="text/plain"))
    pub.publish("paho5/request", b"qos 0 request", 0,
                properties(PacketTypes.PUBLISH, ResponseTopic="paho5/reply", CorrelationData=b"\x01\x02"))
    sub.wait_messages(3)
    _, mid = sub.client.unsubscribe("paho5/#", properties=properties(PacketTypes.UNSUBSCRIBE, UserProperty=("why", "done")))
    sub.wait(("unsuback", mid))
    pub.client.disconnect(reasoncode=ReasonCodes(PacketTypes.DISCONNECT, "Normal disconnection"),
                          properties=properties(PacketTypes.DISCONNECT, ReasonString="bye"))
    pub.wait("disconnected")
    pub.stop()

    # The same Client Identifier again: the broker ends the first connection
    twin = Client("paho5-sub")
    assert twin.connect(host, port) == 0
    print(f"takeover: the first connection ended (paho rc {sub.wait('disconnected')})")
    sub.stop()
    twin.client.disconnect()
    twin.wait("disconnected")
    twin.stop()

    # An Authentication Method the broker does not know: CONNACK 0x8C, then the close
    refused = Client("paho5-auth")
    rc = refused.connect(host, port, properties(PacketTypes.CONNECT, AuthenticationMethod="SCRAM-SHA-1"))
    print(f"refused: CONNACK {rc:#04x}")
    refused.wait("disconnected")
    refused.stop()
    print("paho5: done")


if __name__ == "__main__":
    sys.exit(main())
