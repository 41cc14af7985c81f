# SPDX-License-Identifier: MIT
"""GIL and threads: callback threads and blocking publishers never
deadlock with each other."""
import threading

import mycelium
from test_bus import Tick


def test_callback_thread_receives_everything():
    with mycelium.Bus() as bus:
        bus.topic(Tick, policy=mycelium.LOSSLESS, depth=64)
        got = []
        done = threading.Event()

        def on_tick(t):
            got.append(t.n)
            if len(got) == 2000:
                done.set()

        bus.subscriber(Tick, callback=on_tick)
        pub = bus.publisher(Tick, timeout=30)
        for i in range(2000):
            pub.publish(Tick(i))
        assert done.wait(30)
        assert got == list(range(2000))


def test_blocking_publisher_and_callback_consumer():
    """A lossless publisher blocked on a full topic releases the GIL, so
    the callback thread (which needs the GIL) can drain it."""
    with mycelium.Bus() as bus:
        bus.topic(Tick, policy=mycelium.LOSSLESS, depth=2)
        got = []
        done = threading.Event()

        def on_tick(t):
            got.append(t.n)
            if len(got) == 1000:
                done.set()

        bus.subscriber(Tick, callback=on_tick)
        pub = bus.publisher(Tick, timeout=30)
        for i in range(1000):
            pub.publish(Tick(i))
        assert done.wait(30)
        assert got == list(range(1000))


def test_publishers_on_several_threads():
    with mycelium.Bus() as bus:
        bus.topic(Tick, policy=mycelium.LOSSLESS, depth=1024)
        sub = bus.subscriber(Tick)

        def produce(base):
            pub = bus.publisher(Tick, timeout=30)
            for i in range(500):
                pub.publish(Tick(base + i))

        threads = [threading.Thread(target=produce, args=(k * 1000,))
                   for k in range(4)]
        for t in threads:
            t.start()
        got = []
        while len(got) < 2000:
            m = sub.recv(timeout=10)
            assert m is not None, "stalled after %d" % len(got)
            got.append(m.n)
        for t in threads:
            t.join()
        for k in range(4):
            mine = [n for n in got if k * 1000 <= n < k * 1000 + 1000]
            assert mine == list(range(k * 1000, k * 1000 + 500))
