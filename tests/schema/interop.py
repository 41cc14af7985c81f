# SPDX-License-Identifier: MIT
"""Python side of the cross-language schema tests (schema-interop.sh).

Usage: interop.py MODULE_DIR MODULE layout|sample|encode FILE|decode FILE
       interop.py MODULE_DIR MODULE publish TRANSPORT N [READY...]
       interop.py MODULE_DIR MODULE receive TRANSPORT N READY
       interop.py MODULE_DIR MODULE refused ring:DOMAIN
       interop.py MODULE_DIR MODULE refused tcp listen|dial READY

The bus commands (tests/suites/interop.sh; they need the mycelium binding)
use a bus with every type's topic lossless, depth 64, max size = the
message size, named interop-LANG-tx (publish) or interop-LANG-rx
(receive), carried by TRANSPORT:

  ring:DOMAIN  the shared-memory rings of DOMAIN (the ring bridge)
  tcp          the net bridge: each receiver listens on 127.0.0.1 port 0
               (the kernel picks a free one) and writes "NAME ADDR" into
               its READY file; the publisher dials the address in every
               READY file it is given and waits until each peer subscribed
               every type (a type no peer subscribed is not sent).

Every bus carries the schema digest of the generated module (SCHEMA_DIGEST),
except in "refused" where noted.

publish: N samples of every type, schema order (tcp: then wait until
every READY.done exists, so no frame is still queued when the bus closes).
receive: subscribe to every type, create the file READY (atomically: a
reader never sees it half written), then receive N messages of each type
in schema order, check type id and size, decode and print each as
"sample" does, and create READY.done.

refused: the schema digest check (tests/suites/interop.sh).  The "other"
digest is the module's with every byte inverted.
  ring:DOMAIN  a bus named interop-LANG-bad with the other digest, while a
               receiver holds the rings of DOMAIN: subscribing to the first
               type must fail with the digest error (MYC_E_DIGEST), and so
               must a lossless publish of it (timeout 0); prints
               "subscribe: TEXT" and "publish: TEXT".
  tcp listen   interop-LANG-rx with the schema's digest listens as
               "receive" does, writes READY, waits until the bus reports a
               refused handshake (net_error, 20 s at most) and prints
               "net: TEXT"; then waits for READY.done (20 s at most) so
               the refusal reaches the dialler before the bus closes.
  tcp dial     interop-LANG-tx with the other digest dials READY's address,
               waits for its refused handshake, prints "net: TEXT" and
               creates READY.done.
Exit status 0 only when every refusal carried the digest error's code.

The sample value of field number j (0-based, schema order) of the message
with type id `mid`, element e of an array (0 for a scalar):

  integers  the little-endian bytes ((mid + 37j + 11e + 5k) % 251) + 1,
            k = 0 .. size-1, read as signed for i8..i64
  bool      (mid + j + e) % 2 == 1
  f32/f64   (mid % 1000) + 0.5j + 0.25e + 0.125, negated when j is odd
            (exact in both widths)
  string    cap characters when j is even, cap // 2 when odd; character i
            is 'a' + (mid + j + i) % 26
  bytes     byte i is ((mid + 3j + 7i) % 255) + 1
  array     cap elements when j is even, (cap + 1) // 2 when odd

Printed form, one line per field, "Name.field=VALUE": integers in decimal,
bool 0/1, f32:/f64: followed by the IEEE bits in hex, s:/b: followed by the
bytes in hex, arrays as [v,v,...].  interop.c and interop.ml follow this.
"""
import errno
import os
import struct
import sys
import time


def int_sample(mid, j, e, kind):
    n = 1 if kind == 'bool' else int(kind[1:]) // 8
    raw = bytes(((mid + 37 * j + 11 * e + 5 * k) % 251) + 1 for k in range(n))
    return int.from_bytes(raw, 'little', signed=kind[0] == 'i')


def scalar_sample(mid, j, e, kind):
    if kind == 'bool':
        return (mid + j + e) % 2 == 1
    if kind in ('f32', 'f64'):
        v = (mid % 1000) + 0.5 * j + 0.25 * e + 0.125
        return -v if j % 2 else v
    return int_sample(mid, j, e, kind)


def sample(cls):
    values = {}
    for j, f in enumerate(cls._FIELDS):
        mid = cls.TYPE_ID
        if f.kind == 'string':
            n = f.cap // 2 if j % 2 else f.cap
            values[f.name] = ''.join(chr(ord('a') + (mid + j + i) % 26) for i in range(n))
        elif f.kind == 'bytes':
            values[f.name] = bytes(((mid + 3 * j + 7 * i) % 255) + 1 for i in range(f.cap))
        elif f.kind == 'array':
            n = (f.cap + 1) // 2 if j % 2 else f.cap
            values[f.name] = [scalar_sample(mid, j, e, f.elem) for e in range(n)]
        else:
            values[f.name] = scalar_sample(mid, j, 0, f.kind)
    return cls(**values)


def fmt_scalar(kind, v):
    if kind == 'bool':
        return '1' if v else '0'
    if kind == 'f32':
        return 'f32:%08x' % struct.unpack('<I', struct.pack('<f', v))[0]
    if kind == 'f64':
        return 'f64:%016x' % struct.unpack('<Q', struct.pack('<d', v))[0]
    return '%d' % v


def show(msg):
    for f in msg._FIELDS:
        v = getattr(msg, f.name)
        if f.kind == 'string':
            s = 's:' + v.encode('utf-8').hex()
        elif f.kind == 'bytes':
            s = 'b:' + v.hex()
        elif f.kind == 'array':
            s = '[' + ','.join(fmt_scalar(f.elem, x) for x in v) + ']'
        else:
            s = fmt_scalar(f.kind, v)
        print('%s.%s=%s' % (msg.NAME, f.name, s))


def main(argv):
    sys.path.insert(0, argv[1])
    mod = __import__(argv[2])
    cmd = argv[3]
    classes = list(mod.MESSAGES.values())      # schema order
    if cmd == 'layout':
        for cls in classes:
            print('%s size %d' % (cls.NAME, cls.SIZE))
            for name, off, size in cls.LAYOUT:
                print('%s.%s %d %d' % (cls.NAME, name, off, size))
    elif cmd == 'sample':
        for cls in classes:
            show(sample(cls))
    elif cmd == 'encode':
        with open(argv[4], 'wb') as out:
            for cls in classes:
                out.write(sample(cls).pack())
    elif cmd == 'decode':
        with open(argv[4], 'rb') as f:
            data = f.read()
        off = 0
        for cls in classes:
            show(cls.unpack(data[off:off + cls.SIZE]))
            off += cls.SIZE
        if off != len(data):
            sys.exit('trailing bytes')
    elif cmd in ('publish', 'receive'):
        bus_cmd(mod, classes, cmd, argv[4], int(argv[5]), argv[6:])
    elif cmd == 'refused':
        refused_cmd(mod, classes, argv[4], argv[5:])
    else:
        sys.exit('unknown command')


def put_file(path, text):
    """Create @path with @text atomically (write, then rename)."""
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.rename(path + '.tmp', path)


def wait_wants(bus, peer, cls):
    """Until @peer's link is up and it subscribed @cls (20 s at most)."""
    import mycelium
    for _ in range(2000):
        try:
            if bus.net_peer_wants(peer, cls):
                return
        except mycelium.MyceliumError as e:
            if e.args[0] != errno.ENOENT:     # no such peer yet
                raise
        time.sleep(0.01)
    sys.exit('%s: peer %s never subscribed' % (cls.NAME, peer))


def open_bus(classes, transport, name, digest):
    """A bus on @transport with every type's topic (see the docstring)."""
    import mycelium
    if transport.startswith('ring:'):
        bus = mycelium.Bus(name=name, ring_domain=transport[5:], digest=digest)
    elif transport == 'tcp':
        bus = mycelium.Bus(name=name, digest=digest)
    else:
        sys.exit('unknown transport %r' % transport)
    for cls in classes:
        bus.topic(cls, mycelium.LOSSLESS, 64, cls.SIZE)
    return bus


def wait_file(path):
    """Until @path exists (20 s at most)."""
    for _ in range(2000):
        if os.path.exists(path):
            return
        time.sleep(0.01)


def wait_net_error(bus):
    """The bus's refused handshake (20 s at most) as "net: TEXT"."""
    import mycelium
    for _ in range(2000):
        err = bus.net_error()
        if err is not None:
            if not isinstance(err, mycelium.DigestMismatch):
                sys.exit('net: not a digest error: %r' % (err.args,))
            return 'net: ' + err.args[1]
        time.sleep(0.01)
    sys.exit('net: no handshake error')


def refused_cmd(mod, classes, transport, rest):
    import mycelium
    other = bytes(b ^ 0xff for b in mod.SCHEMA_DIGEST)
    if transport.startswith('ring:'):
        bus = open_bus(classes, transport, 'interop-py-bad', other)
        cls = classes[0]
        try:
            bus.subscriber(cls)
            sys.exit('subscribe: not refused')
        except mycelium.DigestMismatch as e:
            print('subscribe: ' + e.args[1])
        pub = bus.publisher(cls, timeout=0)
        try:
            pub.publish(sample(cls))
            sys.exit('publish: not refused')
        except mycelium.DigestMismatch as e:
            print('publish: ' + e.args[1])
    elif transport == 'tcp' and rest[:1] == ['listen'] and len(rest) == 2:
        bus = open_bus(classes, transport, 'interop-py-rx', mod)
        bus.net_listen('tcp:127.0.0.1:0')
        for cls in classes:
            bus.subscriber(cls)
        put_file(rest[1], 'interop-py-rx %s\n' % bus.net_addr())
        print(wait_net_error(bus))
        wait_file(rest[1] + '.done')
    elif transport == 'tcp' and rest[:1] == ['dial'] and len(rest) == 2:
        bus = open_bus(classes, transport, 'interop-py-tx', other)
        with open(rest[1]) as f:
            bus.net_connect(f.read().split()[1])
        print(wait_net_error(bus))
        put_file(rest[1] + '.done', '')
    else:
        sys.exit('bad refused arguments')
    sys.stdout.flush()
    bus.close()


def bus_cmd(mod, classes, cmd, transport, n, rest):
    import mycelium
    name = 'interop-py-' + ('tx' if cmd == 'publish' else 'rx')
    bus = open_bus(classes, transport, name, mod)
    tcp = transport == 'tcp'
    if cmd == 'publish':
        if tcp:
            peers = []
            for ready in rest:
                with open(ready) as f:
                    peer, addr = f.read().split()
                bus.net_connect(addr)
                peers.append(peer)
            for peer in peers:
                for cls in classes:
                    wait_wants(bus, peer, cls)
        for cls in classes:
            pub = bus.publisher(cls, timeout=10.0)
            msg = sample(cls)
            for _ in range(n):
                pub.publish(msg)
        if tcp:
            for ready in rest:
                for _ in range(6000):
                    if os.path.exists(ready + '.done'):
                        break
                    time.sleep(0.01)
    else:
        line = ''
        if tcp:
            bus.net_listen('tcp:127.0.0.1:0')
            line = '%s %s\n' % (name, bus.net_addr())
        subs = [bus.subscriber(cls.TYPE_ID) for cls in classes]
        put_file(rest[0], line)
        for cls, sub in zip(classes, subs):
            for _ in range(n):
                m = sub.recv(timeout=10.0)
                if m is None:
                    sys.exit('%s: nothing received' % cls.NAME)
                if m.header.type_id != cls.TYPE_ID or len(m.payload) != cls.SIZE:
                    sys.exit('%s: wrong type or size' % cls.NAME)
                show(cls.unpack(bytes(m.payload)))
        sys.stdout.flush()
        put_file(rest[0] + '.done', '')
    sys.stdout.flush()
    bus.close()


if __name__ == '__main__':
    main(sys.argv)
