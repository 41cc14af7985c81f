# SPDX-License-Identifier: MIT
"""Generated message classes (``myc gen --python`` of the trading schema)
through publishers and subscribers: every message type field by field,
pull and callback subscribers, and validation errors as exceptions."""
import threading

import pytest

import mycelium
from conftest import sample


@pytest.fixture
def bus():
    b = mycelium.Bus(name="gen")
    yield b
    b.close()


def assert_same(cls, got, want):
    assert type(got) is cls
    for f in cls._FIELDS:
        assert getattr(got, f.name) == getattr(want, f.name), f.name


def test_every_type_field_by_field(bus, trading):
    for tid, cls in sorted(trading.MESSAGES.items()):
        bus.topic(cls, max_size=cls.SIZE)
        sub = bus.subscriber(cls)
        pub = bus.publisher(cls)
        sent = [sample(cls, seed) for seed in range(3)]
        for m in sent:
            pub.publish(m)
        got = list(sub.iter(timeout=0))
        assert len(got) == len(sent), cls.NAME
        for g, w in zip(got, sent):
            assert_same(cls, g, w)
        # The frame carries the generated type id and the packed size.
        pub.publish(sent[0])
        raw = sub.recv_raw(timeout=0)
        assert raw.header.type_id == tid == cls.TYPE_ID
        assert raw.header.len == mycelium._mycelium.FRAME_HDR_SIZE + cls.SIZE
        assert raw.payload == sent[0].pack()


def test_iterator_timeout_ends(bus, trading):
    sub = bus.subscriber(trading.Quote)
    assert list(sub.iter(timeout=0.05)) == []
    assert sub.recv(timeout=0) is None


def test_callback_subscriber_gets_every_type(bus, trading):
    classes = sorted(trading.MESSAGES.values(), key=lambda c: c.TYPE_ID)
    got = {c: [] for c in classes}
    done = threading.Event()
    total = 5 * len(classes)
    count = [0]
    lock = threading.Lock()

    def on_msg(m):
        with lock:
            got[type(m)].append(m)
            count[0] += 1
            if count[0] == total:
                done.set()
    subs = [bus.subscriber(c, callback=on_msg) for c in classes]
    for c in classes:
        pub = bus.publisher(c, timeout=None)
        for seed in range(5):
            pub.publish(sample(c, seed))
    assert done.wait(30)
    for c in classes:
        for seed, m in enumerate(got[c]):
            assert_same(c, m, sample(c, seed))
    for s in subs:
        assert s.callback_error is None
        s.close()


def test_field_validation_raises(trading):
    q = trading.Quote()
    with pytest.raises(trading.SchemaError, match="out of range for u32"):
        q.instrument = -1
    with pytest.raises(trading.SchemaError, match="exceeds the capacity of 16"):
        trading.Quote(symbol="x" * 17)
    with pytest.raises(trading.SchemaError, match="expected a bool"):
        trading.Quote(tradable=1)
    with pytest.raises(AttributeError, match="no field"):
        trading.Quote(nonsense=1)
    # A list changed in place is checked again when packed (publish).
    s = trading.Signal()
    s.features = [0.0] * 8
    s.features.append(1.0)
    with pytest.raises(trading.SchemaError, match="exceed the capacity"):
        s.pack()


def test_publish_invalid_message_raises(bus, trading):
    pub = bus.publisher(trading.Signal)
    sub = bus.subscriber(trading.Signal)
    s = trading.Signal()
    s.features.extend([1.0] * 9)
    with pytest.raises(trading.SchemaError):
        pub.publish(s)
    with pytest.raises(TypeError, match="expected Signal"):
        pub.publish(trading.Quote())
    assert sub.recv(timeout=0) is None      # nothing half-published


def test_malformed_payload_raises_on_receive(bus, trading):
    pub = bus.publisher(trading.Quote)
    sub = bus.subscriber(trading.Quote)
    pub.publish(b"\0" * 8)                  # raw bytes of the wrong size
    with pytest.raises(trading.SchemaError, match="payload is 8 bytes"):
        sub.recv(timeout=0)
    bad = bytearray(trading.Quote(tradable=True).pack())
    bad[7] = 2                              # bool byte not 0/1
    pub.publish(bytes(bad))
    with pytest.raises(trading.SchemaError, match="tradable"):
        sub.recv(timeout=0)
    pub.publish(trading.Quote(instrument=9))
    assert sub.recv(timeout=0).instrument == 9   # the next one is fine


def test_malformed_payload_in_callback_is_recorded(bus, trading):
    got = []
    ok = threading.Event()

    def on_quote(q):
        got.append(q)
        ok.set()
    sub = bus.subscriber(trading.Quote, callback=on_quote)
    pub = bus.publisher(trading.Quote)
    pub.publish(b"\0" * 8)
    pub.publish(trading.Quote(instrument=3))
    assert ok.wait(30)
    sub.close()
    assert [q.instrument for q in got] == [3]
    assert isinstance(sub.callback_error, trading.SchemaError)


def test_message_larger_than_topic_max_size(bus, trading):
    bus.topic(trading.Fill, max_size=16)
    pub = bus.publisher(trading.Fill)
    with pytest.raises(mycelium.MyceliumError) as e:
        pub.publish(trading.Fill())
    assert e.value.args[0] == 90            # EMSGSIZE
