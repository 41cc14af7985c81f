# SPDX-License-Identifier: MIT
"""Python side of "myc bench bindings" (tools/myc/bench-bindings.c).

    bench_bindings.py pub DOMAIN N READY   publish N paced 64-byte messages
    bench_bindings.py sub DOMAIN N READY   create READY once subscribed, then
                                           print one latency (ns) per message
    bench_bindings.py loop - N -           in-process publish + recv, N times,
                                           print the total ns
    bench_bindings.py burst - N -          the same with publish_many() of
                                           BURST messages, then BURST recvs
    bench_bindings.py loop-msg - N -       the same with a generated message
                                           class: publish a trading.yaml
                                           Quote, receive it decoded
                                           (MYC_BENCH_PY_GEN: the directory
                                           of the generated trading.py)

Same topic, pacing and stamp as the C side: the publisher stores
time.monotonic_ns() (CLOCK_MONOTONIC, the clock the C side reads) in the
first 8 bytes just before publish(); the subscriber reads the clock just
after recv() returned.
"""
import struct
import sys
import time

import mycelium

TYPE_ID = 0x7E01
SIZE = 64
GAP_NS = 200000
BURST = 16      # as BB_BURST in bench-bindings.c


def bus(domain):
    b = mycelium.Bus(name="bench-bind-py", ring_domain=domain)
    b.topic(TYPE_ID, mycelium.LOSSLESS, 1024, SIZE)
    return b


def pub(domain, n):
    b = bus(domain)
    p = b.publisher(TYPE_ID, timeout=10.0)
    buf = bytearray(SIZE)
    clock = time.monotonic_ns
    stamp = struct.Struct("<QQ").pack_into     # precompiled, as C's stores
    publish = p.publish
    nxt = clock()
    for i in range(n):
        delay = nxt - clock()
        if delay > 0:
            time.sleep(delay / 1e9)
        nxt += GAP_NS
        stamp(buf, 0, clock(), i)
        publish(buf)
    b.close()


def sub(domain, n, ready):
    b = bus(domain)
    s = b.subscriber(TYPE_ID)
    open(ready, "w").close()
    clock = time.monotonic_ns
    unpack = struct.Struct("<Q").unpack_from
    lat = []
    recv = s.recv
    for _ in range(n):
        m = recv(10.0)
        now = clock()
        if m is None:
            sys.exit("bench_bindings.py: nothing received")
        lat.append(now - unpack(m.payload)[0])
    sys.stdout.write("\n".join(map(str, lat)) + "\n")
    sys.stdout.flush()
    b.close()


def inproc(name):
    b = mycelium.Bus(name=name)
    b.topic(TYPE_ID, mycelium.LOSSY, 1024, SIZE)
    return b, b.publisher(TYPE_ID), b.subscriber(TYPE_ID)


def loop(n):
    """Publish one message and receive it on the same thread, n times, on
    an in-process bus; print the total ns (the per-call cost, no wake-up)."""
    b, p, s = inproc("bench-loop-py")
    buf = bytearray(SIZE)
    clock = time.monotonic_ns
    t0 = clock()
    for _ in range(n):
        p.publish(buf)
        s.recv(0)
    print(clock() - t0)
    b.close()


def burst(n):
    """loop() publishing BURST messages per publish_many() call, then
    receiving them one by one; n is a multiple of BURST."""
    b, p, s = inproc("bench-burst-py")
    msgs = [bytearray(SIZE) for _ in range(BURST)]
    publish_many = p.publish_many
    recv = s.recv
    each = range(BURST)
    clock = time.monotonic_ns
    t0 = clock()
    for _ in range(n // BURST):
        publish_many(msgs)
        for _ in each:
            if recv(0) is None:
                sys.exit("bench_bindings.py: a burst's message was not received")
    print(clock() - t0)
    b.close()


def loop_msg(n):
    """loop() with generated classes: pack and unpack (with their checks)
    inside the figure.  The message is built once, as a publisher that
    updates fields in place would."""
    import os
    sys.path.insert(0, os.environ["MYC_BENCH_PY_GEN"])
    import trading
    Quote = trading.Quote
    b = mycelium.Bus(name="bench-loop-py-msg")
    b.topic(Quote, mycelium.LOSSY, 1024, Quote.SIZE)
    p = b.publisher(Quote)
    s = b.subscriber(Quote)
    q = Quote(instrument=7, venue=2, tradable=True, bid_px=100, ask_px=101,
              bid_qty=5, ask_qty=6, symbol="ABCD")
    clock = time.monotonic_ns
    t0 = clock()
    for _ in range(n):
        p.publish(q)
        s.recv(0)
    print(clock() - t0)
    b.close()


if __name__ == "__main__":
    role, domain, n, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if role == "loop":
        loop(n)
    elif role == "burst":
        burst(n)
    elif role == "loop-msg":
        loop_msg(n)
    elif role == "pub":
        pub(domain, n)
    else:
        sub(domain, n, ready)
