# SPDX-License-Identifier: MIT
"""Behaviour of a generated Python module (alltypes, from
tests/data/schema/ok-all-types.yaml): attribute access, defaults, range and
capacity validation with clear SchemaError messages, and unpack refusing
every malformed payload.  Run by tests/suites/schema-codegen.sh with
MYC_GEN_DIR pointing at the generated module."""
import os
import struct
import sys

import pytest

sys.path.insert(0, os.environ['MYC_GEN_DIR'])
import alltypes as m  # noqa: E402


def test_module_constants():
    assert m.SCHEMA_NAME == 'alltypes'
    assert len(m.SCHEMA_DIGEST) == 32
    assert m.SCHEMA_DIGEST.hex() == m.SCHEMA_DIGEST_HEX
    assert m.SCHEMA_DIGEST_HEX == os.environ['MYC_GEN_DIGEST']
    assert m.MESSAGES[1] is m.Scalars
    assert m.BY_TOPIC['test/containers'] is m.Containers
    assert m.Containers.TYPE_ID == 0xfeff and m.Containers.SIZE == 168


def test_defaults_and_attributes():
    s = m.Scalars()
    assert s.a_u8 == 0 and s.a_f64 == 0.0 and s.a_bool is False
    c = m.Containers()
    assert c.tag == '' and c.raw == b'\0\0\0' and c.prices == []
    c.prices = [1.5, 2.5]
    assert c.prices == [1.5, 2.5]
    with pytest.raises(AttributeError, match="has no field 'nope'"):
        c.nope = 1
    with pytest.raises(AttributeError):
        m.Scalars(nope=1)


@pytest.mark.parametrize('kind,lo,hi', [
    ('u8', 0, 255), ('i8', -128, 127), ('u16', 0, 65535), ('i16', -32768, 32767),
    ('u32', 0, 2**32 - 1), ('i32', -2**31, 2**31 - 1),
    ('u64', 0, 2**64 - 1), ('i64', -2**63, 2**63 - 1)])
def test_integer_ranges(kind, lo, hi):
    name = 'a_' + kind
    s = m.Scalars(**{name: lo})
    s = m.Scalars(**{name: hi})
    assert m.Scalars.unpack(s.pack()) == s
    for bad in (lo - 1, hi + 1):
        with pytest.raises(m.SchemaError, match=r'Scalars\.%s: .* out of range for %s' % (name, kind)):
            setattr(s, name, bad)


def test_types_checked():
    s = m.Scalars()
    with pytest.raises(m.SchemaError, match='expected an int'):
        s.a_u8 = 1.0
    with pytest.raises(m.SchemaError, match='expected an int'):
        s.a_u8 = True
    with pytest.raises(m.SchemaError, match='expected a bool'):
        s.a_bool = 1
    with pytest.raises(m.SchemaError, match='expected a number'):
        s.a_f64 = '1'
    with pytest.raises(m.SchemaError, match='out of range for f32'):
        s.a_f32 = 1e39
    s.a_f32 = float('inf')
    s.a_f64 = 2**70
    assert m.Scalars.unpack(s.pack()).a_f32 == float('inf')


def test_strings_and_bytes():
    c = m.Containers(tag='abcde')
    with pytest.raises(m.SchemaError, match=r'Containers\.tag: string of 6 bytes exceeds the capacity of 5'):
        c.tag = 'abcdef'
    with pytest.raises(m.SchemaError, match='exceeds the capacity'):
        c.tag = 'ééé'          # 6 bytes of UTF-8
    c.tag = 'éé'
    with pytest.raises(m.SchemaError, match='NUL'):
        c.tag = 'a\0b'
    with pytest.raises(m.SchemaError, match='expected a str'):
        c.tag = b'abc'
    with pytest.raises(m.SchemaError, match='expected exactly 3 bytes, got 2'):
        c.raw = b'ab'
    c.raw = bytearray(b'xyz')
    assert c.raw == b'xyz'
    assert m.Containers.unpack(c.pack()) == c


def test_arrays():
    c = m.Containers()
    with pytest.raises(m.SchemaError, match=r'Containers\.prices: 4 elements exceed the capacity of 3'):
        c.prices = [1.0] * 4
    with pytest.raises(m.SchemaError, match=r'Containers\.ids\[1\]: -1 is out of range for u32'):
        c.ids = [1, -1]
    with pytest.raises(m.SchemaError, match='expected a list'):
        c.ids = 5
    c.votes = [True, False, True]
    c.ids = [7]
    c.ids.append(2**40)          # mutated in place: pack re-checks
    with pytest.raises(m.SchemaError, match=r'ids\[1\]'):
        c.pack()


def test_constructor_checks_like_assignment():
    """The constructor applies each field's check (the fast path for exact
    types, the full one otherwise) and gives every array its own list."""
    for kw, text in ((dict(a_u8=256), 'out of range for u8'),
                     (dict(a_i64=-2**63 - 1), 'out of range for i64'),
                     (dict(a_u16=True), 'expected an int'),
                     (dict(a_bool=0), 'expected a bool'),
                     (dict(a_f32=-1e39), 'out of range for f32')):
        with pytest.raises(m.SchemaError, match=text):
            m.Scalars(**kw)
    for kw, text in ((dict(tag='a\0'), 'NUL'), (dict(tag='ééé'), 'capacity'),
                     (dict(raw=b'abcd'), 'exactly 3 bytes')):
        with pytest.raises(m.SchemaError, match=text):
            m.Containers(**kw)

    class Small(int):
        pass
    s = m.Scalars(a_u8=Small(7), a_f32=3.4028234663852886e+38, a_f64=1)
    assert s.a_u8 == 7 and s.a_f32 == 3.4028234663852886e+38
    assert m.Containers(tag='ééx', raw=bytearray(b'xyz')).raw == b'xyz'
    a, b = m.Containers(), m.Containers()
    a.prices.append(1.0)
    assert b.prices == [] and m.Containers().prices == []


def test_pack_rechecks_arrays():
    """pack() takes a list that passes the whole-array check as is and
    falls back to the element-by-element check (naming the element) for
    anything else changed in place."""
    c = m.Containers(ids=(1, 2), votes=[True], ratios=[0.5, -0.5])
    assert c.ids == [1, 2] and type(c.ids) is list
    assert m.Containers.unpack(c.pack()) == c
    for field, bad, text in (('ids', True, r'ids\[2\]: expected an int'),
                             ('ids', 2**32, r'ids\[2\]: .* out of range for u32'),
                             ('votes', 1, r'votes\[1\]: expected a bool'),
                             ('ratios', 1e39, r'ratios\[2\]: .* out of range for f32'),
                             ('ratios', 1, r'ratios\[2\]: expected a number')):
        d = m.Containers(ids=[1, 2], votes=[True], ratios=[0.5, -0.5])
        getattr(d, field).append(bad)
        if text.endswith('expected a number'):
            # an int is a number: accepted element by element, packed as f32
            assert m.Containers.unpack(d.pack()).ratios == [0.5, -0.5, 1.0]
            continue
        with pytest.raises(m.SchemaError, match=text):
            d.pack()
    d = m.Containers(prices=[1.0, 2.0, 3.0])
    d.prices.append(4.0)
    with pytest.raises(m.SchemaError, match='4 elements exceed the capacity of 3'):
        d.pack()


def payload(cls, **kw):
    return bytearray(cls(**kw).pack())


def test_unpack_refuses_malformed():
    L = {name: (off, size) for name, off, size in m.Containers.LAYOUT}
    good = payload(m.Containers, tag='ab', prices=[1.0], votes=[True])
    assert m.Containers.unpack(good).tag == 'ab'
    cases = [
        ('_pad10', 0, 1, 'padding at offset 10 is not zero'),
        ('prices_len', 0, 4, 'count 4 exceeds the capacity of 3'),
        ('prices', 8, 1, 'elements beyond the count are not zero'),
        ('votes', 0, 2, 'bool element is not 0 or 1'),
        ('tag', 3, ord('x'), 'after the end of the string are not zero'),
        ('tag', 0, 0xff, 'not UTF-8'),
    ]
    for member, at, val, msg in cases:
        bad = bytearray(good)
        bad[L[member][0] + at] = val
        with pytest.raises(m.SchemaError, match=msg):
            m.Containers.unpack(bytes(bad))
    with pytest.raises(m.SchemaError, match='payload is 167 bytes, expected 168'):
        m.Containers.unpack(bytes(good[:-1]))
    with pytest.raises(m.SchemaError, match='payload is 176 bytes'):
        m.Containers.unpack(bytes(good) + bytes(8))
    s = payload(m.Scalars)
    s[6] = 2
    with pytest.raises(m.SchemaError, match=r'Scalars\.a_bool: bool byte is 2'):
        m.Scalars.unpack(bytes(s))


def test_decode_by_type_id():
    t = m.Tiny(only=9)
    assert m.decode(m.Tiny.TYPE_ID, t.pack()) == t
    with pytest.raises(m.SchemaError, match='unknown type id 0x1234'):
        m.decode(0x1234, b'')


def test_layout_is_little_endian_and_explicit():
    p = m.Padded(flag=True, wide=0x0102030405060708, small=-1, mid=-2, last=0xbeef).pack()
    assert p == (b'\x01' + bytes(7) + struct.pack('<Q', 0x0102030405060708) + b'\xff' +
                 bytes(3) + struct.pack('<i', -2) + struct.pack('<H', 0xbeef) + bytes(6))


def test_unpack_accepts_buffers():
    c = m.Containers(tag='ab', prices=[1.0, 2.0], ids=[3], votes=[True, False])
    b = c.pack()
    assert m.Containers.unpack(memoryview(b)) == c
    assert m.Containers.unpack(bytearray(b)) == c
    big = bytes(8) + b + bytes(8)           # a payload inside a larger buffer
    assert m.Containers.unpack(memoryview(big)[8:8 + len(b)]) == c
