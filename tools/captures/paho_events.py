"""What paho's callbacks report, for the capture scripts to wait on with a bound.

  class Session(paho_events.Waiter):
      def __init__(self):
          paho_events.Waiter.__init__(self, timeout=5.0)
          client.on_connect = lambda *a: self._event("connack", a[3])
          client.on_message = self._on_message
      ...
      self.wait("connack"); self.wait_messages(3)
"""
import threading


class Waiter:
    """Named events and received messages, set from paho's thread, waited for from the script's."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.events = {}
        self.messages = []
        self.lock = threading.Condition()

    def _event(self, key, value):
        with self.lock:
            self.events[key] = value
            self.lock.notify_all()

    def _on_message(self, _client, _userdata, msg):
        with self.lock:
            self.messages.append(msg)
            self.lock.notify_all()

    def wait(self, key):
        """The value of event `key` (consumed), or RuntimeError after the timeout."""
        with self.lock:
            if not self.lock.wait_for(lambda: key in self.events, self.timeout):
                raise RuntimeError(f"no {key} within {self.timeout} s")
            return self.events.pop(key)

    def wait_messages(self, count):
        """Returns once `count` messages have arrived, or RuntimeError after the timeout."""
        with self.lock:
            if not self.lock.wait_for(lambda: len(self.messages) >= count, self.timeout):
                raise RuntimeError(f"{len(self.messages)} of {count} messages arrived")
