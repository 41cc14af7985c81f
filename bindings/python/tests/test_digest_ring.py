# SPDX-License-Identifier: MIT
"""Description: the schema digest over the shared-memory ring bridge,
across processes.  This process subscribes with the trading schema's
digest (its bus creates the ring and records the digest).  A child
interpreter whose bus has another digest gets DigestMismatch from
subscriber() and from a lossless publish (nothing reaches the ring); a
child with the same digest (given as the generated module) publishes and
every message arrives, in order.  A bus from a topology with the schema
carries the schema's digest the same way.  Nothing is left in /dev/shm."""
import os
import subprocess
import sys
import textwrap

import pytest

import mycelium
from conftest import SCHEMA

N = 20


@pytest.fixture
def domain():
    d = "pydg%d" % os.getpid()
    yield d
    left = [f for f in os.listdir("/dev/shm") if f.startswith("myc." + d + ".")]
    assert left == []


# argv: domain, module path, "same" | "other".  "other" is all zero: what a
# ring created by a bus without a digest holds, so a parent bus that failed
# to record its digest would let "other" in and shut "same" out.
CHILD = textwrap.dedent("""
    import importlib.util, sys, mycelium
    spec = importlib.util.spec_from_file_location("trading_child", sys.argv[2])
    trading = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trading)
    Order = trading.Order
    digest = trading if sys.argv[3] == "same" else bytes(32)
    bus = mycelium.Bus(name="child", ring_domain=sys.argv[1], digest=digest)
    bus.topic(Order, mycelium.LOSSLESS, 64, Order.SIZE)
    pub = bus.publisher(Order, timeout=10.0)
    if sys.argv[3] == "other":
        try:
            bus.subscriber(Order)
            sys.exit("subscriber: no DigestMismatch")
        except mycelium.DigestMismatch as e:
            print("sub", e.args[0], e.args[1], flush=True)
        try:
            pub.publish(Order(order_id=1))
            sys.exit("publish: no DigestMismatch")
        except mycelium.DigestMismatch as e:
            print("pub", e.args[0], flush=True)
    else:
        for i in range(%d):
            pub.publish(Order(order_id=i))
    bus.close()
""" % N)


def child(domain, trading, which):
    return subprocess.run([sys.executable, "-c", CHILD, domain,
                           trading.__file__, which],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)


def check_exchange(bus, trading, domain):
    Order = trading.Order
    sub = bus.subscriber(Order)
    r = child(domain, trading, "other")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    code = str(mycelium._mycelium.E_DIGEST)
    assert lines[0].startswith("sub %s " % code) and "digest" in lines[0]
    assert lines[1] == "pub %s" % code
    assert sub.recv(timeout=0) is None          # nothing got through
    r = child(domain, trading, "same")
    assert r.returncode == 0, r.stderr
    got = [sub.recv(timeout=10.0) for _ in range(N)]
    assert [m.order_id for m in got] == list(range(N))
    assert sub.recv(timeout=0) is None


def test_ring_refuses_other_digest(domain, trading):
    Order = trading.Order
    with mycelium.Bus(name="parent", ring_domain=domain,
                      digest=trading.SCHEMA_DIGEST) as bus:
        bus.topic(Order, mycelium.LOSSLESS, 64, Order.SIZE)
        check_exchange(bus, trading, domain)


TOPOLOGY = """
[[nodes]]
name = "engine"
services = ["risk"]

[topics."oms.order"]
policy = "lossless"
ring_size = 64
max_size = %d
"""


def test_topology_bus_carries_schema_digest(domain, trading, tmp_path):
    topo = tmp_path / "topology.toml"
    topo.write_text(TOPOLOGY % trading.Order.SIZE)
    with mycelium.Bus.from_topology(topo, "risk", schema=SCHEMA,
                                    ring_domain=domain) as bus:
        check_exchange(bus, trading, domain)
