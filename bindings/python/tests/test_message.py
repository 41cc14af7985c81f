# SPDX-License-Identifier: MIT
"""The C-level publish/recv path: raw Message objects (header decoded on
first read, also a pair), every bytes-like payload, the class test of
publish, and the checks of recv's timeout argument."""
import array

import pytest

import mycelium


class Tick:
    TYPE_ID = 0x102

    def __init__(self, n):
        self.n = n

    def pack(self):
        return self.n.to_bytes(8, "little")

    @classmethod
    def unpack(cls, b):
        return cls(int.from_bytes(b, "little"))


class SubTick(Tick):
    pass


@pytest.fixture
def bus():
    b = mycelium.Bus(name="pytest-msg")
    yield b
    b.close()


def test_raw_message_is_a_pair(bus):
    sub = bus.subscriber(5)
    pub = bus.publisher(5)
    pub.publish(b"hello")
    m = sub.recv(0)
    assert isinstance(m, mycelium.Message)
    assert m.payload == b"hello" and m[1] == b"hello" and len(m) == 2
    h = m.header
    assert isinstance(h, mycelium.Header)
    assert (h.type_id, h.len) == (5, mycelium._mycelium.FRAME_HDR_SIZE + 5)
    assert m.header is h                      # decoded once
    header, payload = m
    assert header == h and payload == b"hello"
    assert m == (h, b"hello") and m != (h, b"other")
    assert m == mycelium.Message(h, b"hello")
    assert "payload=b'hello'" in repr(m)
    with pytest.raises(IndexError):
        m[2]


def test_every_buffer_kind_published(bus):
    sub = bus.subscriber(6)
    pub = bus.publisher(6)
    for data in (b"ab", bytearray(b"cd"), memoryview(b"xef")[1:],
                 array.array("B", b"gh")):
        pub.publish(data)
    got = [m.payload for m in sub.iter(timeout=0)]
    assert got == [b"ab", b"cd", b"ef", b"gh"]


def test_class_instances_and_subclasses_packed(bus):
    sub = bus.subscriber(Tick)
    pub = bus.publisher(Tick)
    assert (pub.type_id, pub.msg_class) == (Tick.TYPE_ID, Tick)
    assert (sub.type_id, sub.msg_class) == (Tick.TYPE_ID, Tick)
    pub.publish(Tick(1))
    pub.send(SubTick(2))
    pub.publish((3).to_bytes(8, "little"))   # bytes still accepted
    assert [t.n for t in sub.iter(timeout=0)] == [1, 2, 3]
    with pytest.raises(TypeError, match="expected Tick or bytes, got int"):
        pub.publish(3)
    raw = bus.publisher(7)
    with pytest.raises(TypeError, match="expected bytes, got Tick"):
        raw.publish(Tick(1))


def test_pack_errors_propagate(bus):
    class Bad(Tick):
        def pack(self):
            raise ValueError("no pack")
    pub = bus.publisher(Tick)
    with pytest.raises(ValueError, match="no pack"):
        pub.publish(Bad(1))


def test_recv_timeout_argument_checked(bus):
    sub = bus.subscriber(8)
    assert sub.recv(0) is None and sub.recv(0.0) is None
    assert sub.recv(timeout=0.001) is None and sub.recv_raw(timeout=0) is None
    with pytest.raises(ValueError):
        sub.recv(-1)
    with pytest.raises(ValueError):
        sub.recv(float("nan"))
    with pytest.raises(TypeError):
        sub.recv("1")
    with pytest.raises(TypeError):
        sub.recv(wait=1)
    with pytest.raises(TypeError):
        sub.recv(1, 2)
    with pytest.raises(TypeError):
        sub.recv(0, timeout=0)
