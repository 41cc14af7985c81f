# SPDX-License-Identifier: MIT
"""Bus.from_topology and publisher-to-service: topics configured from the
file (type ids from the schema by topic name), directed publishers, and
the library's file:line errors as MyceliumError text."""
import errno
import threading

import pytest

import mycelium
from conftest import SCHEMA, sample

TOPOLOGY = """
[[nodes]]
name = "md"
services = ["feed"]

[[nodes]]
name = "engine"
services = ["strategy", "risk"]

[topics."md.quote"]
ring_size = 4
max_size = 64

[topics."oms.order"]
policy = "lossless"
ring_size = 2
max_size = 128

[topics."exec.fill"]
policy = "lossless"
ring_size = 8
max_size = 256
"""


@pytest.fixture
def topo(tmp_path):
    p = tmp_path / "topology.toml"
    p.write_text(TOPOLOGY)
    return p


def test_from_topology_configures_topics(topo, trading):
    with mycelium.Bus.from_topology(topo, "strategy", schema=SCHEMA) as bus:
        assert bus.name == "engine"
        assert bus.service == "strategy"
        # md.quote: lossy, 4 deep -> six quotes lose the two oldest.
        sub = bus.subscriber(trading.Quote)
        pub = bus.publisher(trading.Quote)
        for i in range(6):
            pub.publish(trading.Quote(instrument=i))
        assert [q.instrument for q in sub.iter(timeout=0)] == [2, 3, 4, 5]
        assert sub.lost == 2
        # oms.order: lossless, 2 deep -> the third order is refused.
        osub = bus.subscriber(trading.Order)
        opub = bus.publisher(trading.Order)
        opub.publish(sample(trading.Order, 1))
        opub.publish(sample(trading.Order, 2))
        with pytest.raises(mycelium.BackPressure):
            opub.publish(sample(trading.Order, 3))
        assert osub.recv(timeout=0) == sample(trading.Order, 1)


def test_plain_bus_has_no_service():
    with mycelium.Bus(name="solo") as bus:
        assert bus.name == "solo"
        assert bus.service is None


def test_from_topology_errors(tmp_path, topo):
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus.from_topology(topo, "nobody", schema=SCHEMA)
    assert e.value.args[0] == errno.ENOENT
    assert 'service "nobody" is in no node (services: feed, strategy, risk)' \
        in e.value.args[1]
    # Without the schema the topics have no type id.
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus.from_topology(topo, "risk")
    assert e.value.args[0] == errno.EINVAL
    assert 'topology.toml:10: topics.md.quote: no type id' in e.value.args[1]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[nodes]]\nname = "n"\nservices = ["a"]\nprot = 1\n')
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus.from_topology(bad, "a")
    assert "bad.toml:4:1: nodes[0].prot: unknown key" in e.value.args[1]
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus.from_topology(tmp_path / "missing.toml", "a")
    assert e.value.args[0] == errno.ENOENT
    assert "missing.toml" in e.value.args[1]
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus.from_topology(topo, "risk", schema=tmp_path / "no.yaml")
    assert e.value.args[0] == errno.ENOENT
    small = tmp_path / "small.toml"
    small.write_text(TOPOLOGY.replace("max_size = 64", "max_size = 8"))
    with pytest.raises(mycelium.MyceliumError, match="below the size of Quote"):
        mycelium.Bus.from_topology(small, "risk", schema=SCHEMA)


def test_publisher_to_reaches_only_that_service(topo, trading):
    with mycelium.Bus.from_topology(topo, "strategy", schema=SCHEMA) as bus:
        mine = bus.subscriber(trading.Fill)                 # strategy
        risk = bus.subscriber(trading.Fill, service="risk")
        to_risk = bus.publisher_to("risk", trading.Fill)
        to_feed = bus.publisher_to("feed", trading.Fill)    # not on this node
        everyone = bus.publisher(trading.Fill)
        to_risk.publish(sample(trading.Fill, 1))
        to_feed.publish(sample(trading.Fill, 2))
        everyone.publish(sample(trading.Fill, 3))
        assert list(risk.iter(timeout=0)) == [sample(trading.Fill, 1),
                                              sample(trading.Fill, 3)]
        assert list(mine.iter(timeout=0)) == [sample(trading.Fill, 3)]


def test_unknown_service_is_an_error(topo, trading):
    with mycelium.Bus.from_topology(topo, "risk", schema=SCHEMA) as bus:
        with pytest.raises(mycelium.MyceliumError) as e:
            bus.publisher_to("nobody", trading.Fill)
        assert e.value.args[0] == errno.ENOENT
        assert '"nobody" is not a service' in e.value.args[1]
        with pytest.raises(mycelium.MyceliumError, match="not a service"):
            bus.subscriber(trading.Fill, service="nobody")
        with pytest.raises(mycelium.MyceliumError, match="bad service name"):
            bus.publisher_to("", trading.Fill)


def test_directed_blocking_publisher_and_callback_thread(topo, trading):
    """A publisher thread blocked on a full lossless queue of risk and the
    callback thread draining it never deadlock (GIL released while
    waiting); strategy's own full queue does not hold risk's orders."""
    n = 500
    with mycelium.Bus.from_topology(topo, "strategy", schema=SCHEMA) as bus:
        stuck = bus.subscriber(trading.Order)        # strategy: never read
        got = []
        done = threading.Event()

        def on_order(o):
            got.append(o.order_id)
            if len(got) == n:
                done.set()
        risk = bus.subscriber(trading.Order, callback=on_order, service="risk")
        everyone = bus.publisher(trading.Order)
        everyone.publish(trading.Order(order_id=0))
        everyone.publish(trading.Order(order_id=0))   # stuck is now full
        pub = bus.publisher_to("risk", trading.Order, timeout=None)

        def produce():
            for i in range(1, n - 1):
                pub.publish(trading.Order(order_id=i))
        t = threading.Thread(target=produce)
        t.start()
        t.join(60)
        assert not t.is_alive()
        assert done.wait(60)
        assert got == [0, 0] + list(range(1, n - 1))
        assert risk.callback_error is None
        assert len(list(stuck.iter(timeout=0))) == 2
