# SPDX-License-Identifier: MIT
"""The net bridge through the binding: two buses linked over TCP on the
loopback (port chosen by the kernel) exchange generated messages, and every
refusal of the net calls is a MyceliumError with the library's code."""
import errno
import time

import pytest

import mycelium
from conftest import sample


def wait_wants(bus, peer, msg_type, timeout=20.0):
    """Poll until @peer's link is up and it subscribed @msg_type."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if bus.net_peer_wants(peer, msg_type):
                return
        except mycelium.MyceliumError as e:
            if e.args[0] != errno.ENOENT:   # no such peer yet: keep waiting
                raise
        time.sleep(0.01)
    pytest.fail("peer %s never subscribed" % peer)


def test_tcp_link_carries_messages(trading):
    with mycelium.Bus(name="py-net-rx") as rx, mycelium.Bus(name="py-net-tx") as tx:
        rx.topic(trading.Order, mycelium.LOSSLESS, 64, trading.Order.SIZE)
        tx.topic(trading.Order, mycelium.LOSSLESS, 64, trading.Order.SIZE)
        rx.net_listen("tcp:127.0.0.1:0")
        addr = rx.net_addr()
        assert addr.startswith("tcp:127.0.0.1:")
        assert int(addr.rsplit(":", 1)[1]) > 0
        sub = rx.subscriber(trading.Order)
        tx.net_connect(addr)
        wait_wants(tx, "py-net-rx", trading.Order)
        assert tx.net_peer_wants("py-net-rx", trading.Quote) is False
        pub = tx.publisher(trading.Order, timeout=10.0)
        sent = [sample(trading.Order, i) for i in range(50)]
        for m in sent:
            pub.publish(m)
        got = [sub.recv(timeout=10.0) for _ in sent]
        assert got == sent


def test_bad_addresses_refused():
    with mycelium.Bus(name="py-net-bad") as bus:
        for addr in ("tcp:localhost:0", "tcp:127.0.0.1", "udp:1.2.3.4:5", "",
                     "tcp:127.0.0.1:0\0x"):
            with pytest.raises(mycelium.MyceliumError) as e:
                bus.net_listen(addr)
            assert e.value.args[0] == errno.EINVAL, addr
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_connect("tcp:127.0.0.1:99999")
        assert e.value.args[0] == errno.EINVAL
        with pytest.raises(TypeError):
            bus.net_listen(None)


def test_bad_node_name_refused():
    with mycelium.Bus(name="bad name") as bus:
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_listen("tcp:127.0.0.1:0")
        assert e.value.args[0] == errno.EINVAL


def test_port_in_use_refused():
    with mycelium.Bus(name="py-net-a") as a, mycelium.Bus(name="py-net-b") as b:
        a.net_listen("tcp:127.0.0.1:0")
        with pytest.raises(mycelium.MyceliumError) as e:
            b.net_listen(a.net_addr())
        assert e.value.args[0] == errno.EADDRINUSE


def test_no_listener_no_peer():
    with mycelium.Bus(name="py-net-none") as bus:
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_addr()
        assert e.value.args[0] == errno.ENOENT
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_peer_wants("nobody", 1)
        assert e.value.args[0] == errno.ENOENT
        bus.net_listen("tcp:127.0.0.1:0")
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_peer_wants("nobody", 1)
        assert e.value.args[0] == errno.ENOENT
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_peer_wants("nobody", 0x10000)
        assert e.value.args[0] == errno.EINVAL


def test_closed_bus_refuses_net_calls():
    bus = mycelium.Bus(name="py-net-closed")
    bus.close()
    for call in (lambda: bus.net_listen("tcp:127.0.0.1:0"),
                 lambda: bus.net_connect("tcp:127.0.0.1:1"),
                 bus.net_addr,
                 lambda: bus.net_peer_wants("x", 1)):
        with pytest.raises(mycelium.MyceliumError) as e:
            call()
        assert e.value.args[0] == errno.EBADF
