# SPDX-License-Identifier: MIT
"""Description: a Bus with a ring_domain reaches a subscriber in another
process (a child interpreter) over the shared-memory ring bridge; bad ring
options raise MyceliumError(EINVAL); nothing is left in /dev/shm."""
import errno
import os
import subprocess
import sys
import textwrap

import pytest

import mycelium

TYPE_ID = 0x7301


@pytest.fixture
def domain():
    d = "pyring%d" % os.getpid()
    yield d
    left = [f for f in os.listdir("/dev/shm") if f.startswith("myc." + d + ".")]
    assert left == []


CHILD = textwrap.dedent("""
    import sys, mycelium
    bus = mycelium.Bus(name="child", ring_domain=sys.argv[1])
    sub = bus.subscriber(%d)
    print("ready", flush=True)
    got = []
    for m in sub.iter(timeout=10.0):
        got.append(bytes(m.payload))
        if len(got) == int(sys.argv[2]):
            break
    print(",".join(p.decode() for p in got), flush=True)
    bus.close()
""" % TYPE_ID)


def test_ring_domain_crosses_processes(domain):
    n = 5
    child = subprocess.Popen([sys.executable, "-c", CHILD, domain, str(n)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        bus = mycelium.Bus(name="parent", ring_domain=domain)
        pub = bus.publisher(TYPE_ID)
        for i in range(n):
            pub.publish(b"m%d" % i)
        out = child.stdout.readline().strip()
        bus.close()
    finally:
        child.wait(timeout=30)
    assert out == ",".join("m%d" % i for i in range(n))
    assert child.returncode == 0


def test_ring_force_writes_without_reader(domain):
    bus = mycelium.Bus(name="forced", ring_domain=domain, ring_force=True)
    pub = bus.publisher(TYPE_ID)  # the ring lives as long as a handle
    pub.publish(b"x")
    assert os.path.exists("/dev/shm/myc.%s.%d" % (domain, TYPE_ID))
    bus.close()


@pytest.mark.parametrize("kw", [
    {"ring_domain": ".hidden"},
    {"ring_domain": "bad/slash"},
    {"ring_domain": "x" * 58},
    {"ring_force": True},
])
def test_bad_ring_options_raise_einval(kw):
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus(name="bad", **kw)
    assert e.value.args[0] == errno.EINVAL


def test_from_topology_ring_domain(tmp_path, domain):
    topo = tmp_path / "t.toml"
    topo.write_text('[[nodes]]\nname = "n1"\nservices = ["s"]\n')
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.Bus.from_topology(str(topo), "s", ring_domain="bad/x")
    assert e.value.args[0] == errno.EINVAL
    bus = mycelium.Bus.from_topology(str(topo), "s", ring_domain=domain,
                                     ring_force=True)
    pub = bus.publisher(TYPE_ID)  # the ring lives as long as a handle
    pub.publish(b"y")
    assert os.path.exists("/dev/shm/myc.%s.%d" % (domain, TYPE_ID))
    bus.close()
