# SPDX-License-Identifier: MIT
"""Description: the schema digest in the net handshake.  Two buses with
the trading schema's digest link over TCP and carry messages, and
net_error() stays None on both.  A dialler with another digest is
refused: net_error() on the listener is a DigestMismatch "we refused
peer ...", on the dialler a DigestMismatch "rejected by peer ...", both
naming each node's digest (abbreviated hex), and no link comes up.  net_error() of a
bus that never listened nor dialled raises ENOENT."""
import errno
import time

import pytest

import mycelium
from conftest import sample
from test_net import wait_wants


def wait_error(bus, timeout=20.0):
    """Poll until the bus reports a refused handshake."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        err = bus.net_error()
        if err is not None:
            return err
        time.sleep(0.01)
    pytest.fail("%s: no handshake error" % bus.name)


def test_same_digest_links(trading):
    with mycelium.Bus(name="py-dg-rx", digest=trading) as rx, \
            mycelium.Bus(name="py-dg-tx", digest=trading.SCHEMA_DIGEST) as tx:
        for b in (rx, tx):
            b.topic(trading.Order, mycelium.LOSSLESS, 64, trading.Order.SIZE)
        rx.net_listen("tcp:127.0.0.1:0")
        sub = rx.subscriber(trading.Order)
        tx.net_connect(rx.net_addr())
        wait_wants(tx, "py-dg-rx", trading.Order)
        pub = tx.publisher(trading.Order, timeout=10.0)
        sent = [sample(trading.Order, i) for i in range(20)]
        for m in sent:
            pub.publish(m)
        assert [sub.recv(timeout=10.0) for _ in sent] == sent
        assert rx.net_error() is None
        assert tx.net_error() is None


def test_other_digest_refused_on_both_sides(trading):
    other = bytes(range(32))
    with mycelium.Bus(name="py-dg-a", digest=trading) as a, \
            mycelium.Bus(name="py-dg-b", digest=other) as b:
        for bus in (a, b):
            bus.topic(trading.Order, mycelium.LOSSLESS, 64, trading.Order.SIZE)
            bus.subscriber(trading.Order)
        a.net_listen("tcp:127.0.0.1:0")
        assert a.net_error() is None
        b.net_connect(a.net_addr())
        for bus, text in ((a, "we refused peer 'py-dg-b': schema digest mismatch"),
                          (b, "rejected by peer: schema digest mismatch")):
            err = wait_error(bus)
            assert isinstance(err, mycelium.DigestMismatch)
            assert err.args[0] == mycelium._mycelium.E_DIGEST
            assert text in err.args[1], err.args[1]
            # both digests, abbreviated to their first 8 bytes
            assert "'py-dg-a' has %s..." % trading.SCHEMA_DIGEST_HEX[:16] in err.args[1]
            assert "'py-dg-b' has %s..." % other.hex()[:16] in err.args[1]
        # No link came up: neither side knows the other as a peer.
        for bus, peer in ((a, "py-dg-b"), (b, "py-dg-a")):
            with pytest.raises(mycelium.MyceliumError) as e:
                bus.net_peer_wants(peer, trading.Order)
            assert e.value.args[0] == errno.ENOENT


def test_net_error_without_net():
    with mycelium.Bus(name="py-dg-none") as bus:
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.net_error()
        assert e.value.args[0] == errno.ENOENT
    with pytest.raises(mycelium.MyceliumError) as e:
        bus.net_error()                         # closed bus
    assert e.value.args[0] == errno.EBADF
