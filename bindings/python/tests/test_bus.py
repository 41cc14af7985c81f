# SPDX-License-Identifier: MIT
"""Publish/subscribe through the binding on a real libmyc bus."""
import select

import pytest

import mycelium


class Tick:
    """A hand-written message class with the generated classes' protocol."""
    TYPE_ID = 0x101

    def __init__(self, n):
        self.n = n

    def pack(self):
        return self.n.to_bytes(8, "little")

    @classmethod
    def unpack(cls, b):
        return cls(int.from_bytes(b[:8], "little"))


@pytest.fixture
def bus():
    b = mycelium.Bus(name="pytest")
    yield b
    b.close()


def test_message_class_roundtrip(bus):
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    for i in range(100):
        pub.publish(Tick(i))
    got = [t.n for t in sub.iter(timeout=0)]
    assert got == list(range(100))


def test_raw_bytes_and_header(bus):
    sub = bus.subscriber(7)
    pub = bus.publisher(7)
    pub.publish(b"abc")
    pub.publish(b"defg")
    m1, m2 = sub.recv(0), sub.recv(0)
    assert (m1.payload, m2.payload) == (b"abc", b"defg")
    assert m1.header.type_id == 7
    assert m2.header.seq == m1.header.seq + 1
    assert sub.recv(0) is None


def test_wrong_object_rejected(bus):
    pub = bus.publisher(Tick)
    with pytest.raises(TypeError):
        pub.publish(42)
    with pytest.raises(TypeError):
        bus.subscriber("not a type")


def test_recv_timeout_returns_none(bus):
    sub = bus.subscriber(9)
    assert sub.recv(timeout=0.01) is None


def test_lossy_loss_is_counted(bus):
    bus.topic(Tick, policy=mycelium.LOSSY, depth=4)
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    for i in range(10):
        pub.publish(Tick(i))
    assert [t.n for t in sub.iter(timeout=0)] == [6, 7, 8, 9]
    assert sub.lost == 6


def test_lossless_back_pressure(bus):
    bus.topic(Tick, policy=mycelium.LOSSLESS, depth=2)
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    pub.publish(Tick(1))
    pub.publish(Tick(2))
    with pytest.raises(mycelium.BackPressure) as e:
        pub.publish(Tick(3))
    assert "back-pressured" in e.value.args[1]
    assert sub.recv(0).n == 1
    pub.publish(Tick(3))


def test_publish_many_in_order(bus):
    sub = bus.subscriber(Tick)
    raw = bus.subscriber(8)
    pub = bus.publisher(Tick)
    assert pub.publish_many([Tick(i) for i in range(50)]) == 50
    assert pub.publish_many((Tick(50), Tick(51).pack(), bytearray(Tick(52).pack()))) == 3
    assert pub.publish_many([]) == 0
    assert pub.publish_many(Tick(i) for i in range(53, 55)) == 2
    got = list(sub.iter(timeout=0))
    assert [t.n for t in got] == list(range(55))
    assert bus.publisher(8).publish_many([b"", b"x", memoryview(b"yz")]) == 3
    assert [m.payload for m in raw.iter(timeout=0)] == [b"", b"x", b"yz"]


def test_publish_many_checks_all_before_any(bus):
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    with pytest.raises(TypeError):
        pub.publish_many([Tick(1), Tick(2), 42])
    with pytest.raises(TypeError):
        pub.publish_many(Tick(1))           # not iterable
    with pytest.raises(mycelium.MyceliumError):
        pub.publish_many([Tick(3), bytes(1 << 20)])     # above max_size
    assert sub.recv(0) is None              # nothing went out
    pub.close()
    with pytest.raises(mycelium.MyceliumError):
        pub.publish_many([Tick(4)])


def test_publish_many_list_emptied_by_pack(bus):
    msgs = []

    class Emptying(Tick):
        def pack(self):
            msgs.clear()                    # the caller's list, mid-burst
            return super().pack()

    sub = bus.subscriber(Emptying)
    msgs.extend(Emptying(i) for i in range(10))
    assert bus.publisher(Emptying).publish_many(msgs) == 10
    assert [t.n for t in sub.iter(timeout=0)] == list(range(10))


def test_publish_many_stops_at_back_pressure(bus):
    bus.topic(Tick, policy=mycelium.LOSSLESS, depth=4)
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    assert pub.publish_many([Tick(i) for i in range(6)]) == 4
    with pytest.raises(mycelium.BackPressure):
        pub.publish_many([Tick(9)])
    assert [t.n for t in sub.iter(timeout=0)] == [0, 1, 2, 3]
    assert pub.publish_many([Tick(4), Tick(5)]) == 2
    assert [t.n for t in sub.iter(timeout=0)] == [4, 5]


def test_fileno_polls_readable(bus):
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    p = select.poll()
    p.register(sub.fileno(), select.POLLIN)
    assert sub.recv(0) is None          # drained: the fd is armed
    pub.publish(Tick(5))
    assert p.poll(2000), "fd did not become readable"
    assert sub.recv(0).n == 5


def test_closed_objects_raise(bus):
    sub = bus.subscriber(Tick)
    sub.close()
    with pytest.raises(mycelium.MyceliumError):
        sub.recv(0)


def test_many_independent_buses():
    buses = [mycelium.Bus() for _ in range(50)]
    subs = [b.subscriber(Tick) for b in buses]
    pubs = [b.publisher(Tick) for b in buses]
    for i, p in enumerate(pubs):
        p.publish(Tick(i))
    assert [s.recv(0).n for s in subs] == list(range(50))
    for b in buses:
        b.close()


def test_bus_close_closes_children():
    """Closing a bus closes its publishers and subscribers; using them
    afterwards raises instead of touching freed memory."""
    b = mycelium.Bus()
    sub = b.subscriber(Tick)
    pub = b.publisher(Tick)
    b.close()
    with pytest.raises(mycelium.MyceliumError) as e:
        pub.publish(Tick(1))
    assert e.value.args[0] == 9         # EBADF
    with pytest.raises(mycelium.MyceliumError):
        sub.recv(0)
    del pub, sub                        # dealloc after close: no double free


def test_close_while_blocked_in_recv_is_refused():
    import threading
    b = mycelium.Bus()
    sub = b.subscriber(Tick)
    pub = b.publisher(Tick)
    started = threading.Event()
    got = []

    def reader():
        started.set()
        got.append(sub.recv(timeout=10))

    t = threading.Thread(target=reader)
    t.start()
    started.wait()
    while not sub.busy:            # until it waits with the GIL released
        threading.Event().wait(0.001)
    with pytest.raises(mycelium.MyceliumError) as e:
        b.close()
    assert e.value.args[0] == 16        # EBUSY: the reader is inside recv
    pub.publish(Tick(3))
    t.join()
    assert got[0].n == 3
    b.close()
