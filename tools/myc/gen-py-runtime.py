# SPDX-License-Identifier: MIT
# ---- runtime shared by every module "myc gen" writes (tools/myc/gen-py-runtime.py)

import math as _math
import struct as _struct


class SchemaError(ValueError):
    """A value does not fit its field, or bytes do not decode as the message."""


# kind -> (struct code, min, max); None bounds: not an integer kind
_KINDS = {
    'u8': ('B', 0, 0xff),
    'u16': ('H', 0, 0xffff),
    'u32': ('I', 0, 0xffffffff),
    'u64': ('Q', 0, 0xffffffffffffffff),
    'i8': ('b', -0x80, 0x7f),
    'i16': ('h', -0x8000, 0x7fff),
    'i32': ('i', -0x80000000, 0x7fffffff),
    'i64': ('q', -0x8000000000000000, 0x7fffffffffffffff),
    'f32': ('f', None, None),
    'f64': ('d', None, None),
    'bool': ('B', None, None),
}
_F32_MAX = 3.4028234663852886e+38


class _M(tuple):
    """One layout member: (name, role, kind, elem, cap, offset, size)."""
    __slots__ = ()
    name = property(lambda self: self[0])
    role = property(lambda self: self[1])       # 'field', 'len' or 'pad'
    kind = property(lambda self: self[2])
    elem = property(lambda self: self[3])
    cap = property(lambda self: self[4])
    offset = property(lambda self: self[5])
    size = property(lambda self: self[6])

    def __new__(cls, *args):
        return tuple.__new__(cls, args)


def _check_scalar(where, kind, v):
    if kind == 'bool':
        if not isinstance(v, bool):
            raise SchemaError('%s: expected a bool, got %r' % (where, v))
    elif kind in ('f32', 'f64'):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SchemaError('%s: expected a number, got %r' % (where, v))
        if kind == 'f32' and _math.isfinite(v) and abs(v) > _F32_MAX:
            raise SchemaError('%s: %r is out of range for f32' % (where, v))
    else:
        if isinstance(v, bool) or not isinstance(v, int):
            raise SchemaError('%s: expected an int, got %r' % (where, v))
        lo, hi = _KINDS[kind][1:]
        if v < lo or v > hi:
            raise SchemaError('%s: %d is out of range for %s (%d..%d)'
                              % (where, v, kind, lo, hi))


def _array_ok(kind, v):
    """Fast check of a whole array (C-level passes: the set of element
    types, then min/max); False means "look element by element"."""
    if not v:
        return True
    types = set(map(type, v))
    if kind == 'bool':
        return types == {bool}
    if kind in ('f32', 'f64'):
        if types != {float}:
            return False
        return kind == 'f64' or max(map(abs, v)) <= _F32_MAX
    if types != {int}:
        return False
    lo, hi = _KINDS[kind][1:]
    return lo <= min(v) and max(v) <= hi


def _normalize(cls, f, v):
    """Check @v for field @f and return the value to store."""
    where = '%s.%s' % (cls.NAME, f.name)
    if f.kind == 'string':
        if not isinstance(v, str):
            raise SchemaError('%s: expected a str, got %r' % (where, v))
        n = len(v.encode('utf-8'))
        if n > f.cap:
            raise SchemaError('%s: string of %d bytes exceeds the capacity of %d'
                              % (where, n, f.cap))
        if '\0' in v:
            raise SchemaError('%s: string contains a NUL character' % where)
        return v
    if f.kind == 'bytes':
        if not isinstance(v, (bytes, bytearray, memoryview)):
            raise SchemaError('%s: expected bytes, got %r' % (where, v))
        v = bytes(v)
        if len(v) != f.cap:
            raise SchemaError('%s: expected exactly %d bytes, got %d'
                              % (where, f.cap, len(v)))
        return v
    if f.kind == 'array':
        if not isinstance(v, (list, tuple)):
            raise SchemaError('%s: expected a list, got %r' % (where, v))
        if len(v) > f.cap:
            raise SchemaError('%s: %d elements exceed the capacity of %d'
                              % (where, len(v), f.cap))
        if not _array_ok(f.elem, v):
            for i, x in enumerate(v):   # slow path: name the bad element
                _check_scalar('%s[%d]' % (where, i), f.elem, x)
        return list(v)
    _check_scalar(where, f.kind, v)
    return v


def _checker(cls, f):
    """The check of field @f as one function of the value: the common case
    (exact int/float/bool/str/bytes within bounds) costs a type test and a
    comparison or two; anything else goes to _normalize, which accepts the
    same values and names the problem."""
    def slow(v):
        return _normalize(cls, f, v)
    kind = f.kind
    if kind in ('f32', 'f64'):
        if kind == 'f64':
            def check(v):
                return v if type(v) is float else slow(v)
        else:
            def check(v, lo=-_F32_MAX, hi=_F32_MAX):
                return v if type(v) is float and lo <= v <= hi else slow(v)
    elif kind == 'bool':
        def check(v):
            return v if type(v) is bool else slow(v)
    elif kind in _KINDS:
        def check(v, lo=_KINDS[kind][1], hi=_KINDS[kind][2]):
            return v if type(v) is int and lo <= v <= hi else slow(v)
    elif kind == 'string':
        # ASCII: characters = UTF-8 bytes, so len() is the encoded size
        def check(v, cap=f.cap):
            if type(v) is str and len(v) <= cap and v.isascii() and '\0' not in v:
                return v
            return slow(v)
    elif kind == 'bytes':
        def check(v, cap=f.cap):
            return v if type(v) is bytes and len(v) == cap else slow(v)
    else:
        check = slow
    return check


def _default(f):
    if f.kind == 'string':
        return ''
    if f.kind == 'bytes':
        return bytes(f.cap)
    if f.kind == 'array':
        return []
    if f.kind == 'bool':
        return False
    if f.kind in ('f32', 'f64'):
        return 0.0
    return 0


def _code(f, pad):
    if f.role == 'pad':
        return '%d%s' % (f.size, pad)
    if f.kind in ('string', 'bytes'):
        return '%ds' % f.size
    if f.kind == 'array':
        return '%d%s' % (f.cap, _KINDS[f.elem][0])
    return _KINDS[f.kind][0]


# Helpers of the generated pack()/unpack() methods.  Scalars, strings and
# bytes are checked when assigned and are immutable, so pack() only
# re-checks arrays (a list may have been changed in place).

def _arr_out(msg, name):
    """[count, elements..., zeros...] of array field @name, checked (a
    list within capacity whose elements pass _array_ok is used as is)."""
    f = msg._BY_NAME[name]
    v = msg.__dict__[name]
    if type(v) is not list or len(v) > f.cap or not _array_ok(f.elem, v):
        v = _normalize(type(msg), f, v)
    return [len(v)] + v + [0] * (f.cap - len(v))


def _bad(cls, name, text):
    raise SchemaError('%s.%s: %s' % (cls.NAME, name, text))


def _bad_size(cls, buf):
    raise SchemaError('%s: payload is %d bytes, expected %d'
                      % (cls.NAME, len(buf), cls.SIZE))


def _str_in(cls, name, raw):
    n = raw.find(b'\0')
    if n < 0:
        n = len(raw)
    elif raw[n:].strip(b'\0'):
        _bad(cls, name, 'bytes after the end of the string are not zero')
    try:
        return raw[:n].decode('utf-8')
    except UnicodeDecodeError as e:
        _bad(cls, name, 'not UTF-8 (%s)' % e)


def _arr_in(cls, name, buf, count, vals):
    f = cls._BY_NAME[name]
    if count > f.cap:
        _bad(cls, name, 'count %d exceeds the capacity of %d' % (count, f.cap))
    esz = f.size // f.cap
    if bytes(buf[f.offset + count * esz:f.offset + f.size]).strip(b'\0'):
        _bad(cls, name, 'elements beyond the count are not zero')
    v = list(vals[:count])
    if f.elem == 'bool':
        if any(x > 1 for x in v):
            _bad(cls, name, 'bool element is not 0 or 1')
        v = [x == 1 for x in v]
    return v



class Message:
    """Base of the generated message classes.  Each class has generated
    pack() (-> SIZE bytes) and unpack(buf) (checks and decodes a payload,
    raising SchemaError when malformed).  Field values live in the instance
    __dict__; assignments go through __setattr__, which checks them."""
    __slots__ = ()
    NAME = ''
    TYPE_ID = 0
    TOPIC = ''
    SIZE = 0
    _LAYOUT = ()

    def __init__(self, /, **values):   # "/": a field may be named self
        d = self.__dict__
        d.update(self._DEFAULTS)        # immutable defaults, shared
        for name in self._LISTS:        # arrays: a list of their own
            d[name] = []
        check = self._CHECK
        for k, v in values.items():
            c = check.get(k)
            if c is None:
                raise AttributeError('%s has no field %r' % (self.NAME, k))
            d[k] = c(v)

    def __setattr__(self, name, value):
        c = self._CHECK.get(name)
        if c is None:
            raise AttributeError('%s has no field %r' % (self.NAME, name))
        self.__dict__[name] = c(value)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name)
                   for f in self._FIELDS)

    def __repr__(self):
        return '%s(%s)' % (self.NAME, ', '.join(
            '%s=%r' % (f.name, getattr(self, f.name)) for f in self._FIELDS))


def _init(cls):
    """Build the structs from the layout and check that the offsets they
    give agree with the ones the schema compiler computed."""
    cls._FIELDS = tuple(f for f in cls._LAYOUT if f.role == 'field')
    cls._BY_NAME = {f.name: f for f in cls._FIELDS}
    cls._CHECK = {f.name: _checker(cls, f) for f in cls._FIELDS}
    cls._DEFAULTS = {f.name: _default(f) for f in cls._FIELDS if f.kind != 'array'}
    cls._LISTS = tuple(f.name for f in cls._FIELDS if f.kind == 'array')
    fmt = '<'
    layout = []
    for f in cls._LAYOUT:
        off = _struct.calcsize(fmt)
        fmt += _code(f, 's')
        layout.append((f.name, off, _struct.calcsize(fmt) - off))
        if (off, layout[-1][2]) != (f.offset, f.size):
            raise ImportError('%s.%s: layout mismatch' % (cls.NAME, f.name))
    # pack writes zero padding ('x'); unpack reads it ('s') to check it
    pack = _struct.Struct('<' + ''.join(_code(f, 'x') for f in cls._LAYOUT))
    unpack = _struct.Struct(fmt)
    if pack.size != cls.SIZE or unpack.size != cls.SIZE:
        raise ImportError('%s: size mismatch' % cls.NAME)
    cls._PACK = pack.pack
    cls._UNPACK = unpack.unpack
    # (name, offset, size) of every member, measured on the struct format
    cls.LAYOUT = tuple(layout)
    MESSAGES[cls.TYPE_ID] = cls
    BY_TOPIC[cls.TOPIC] = cls
    BY_NAME[cls.NAME] = cls
    return cls


MESSAGES = {}   # type id -> class
BY_TOPIC = {}   # topic -> class
BY_NAME = {}    # message name -> class


def decode(type_id, payload):
    """Decode @payload of message type @type_id."""
    cls = MESSAGES.get(type_id)
    if cls is None:
        raise SchemaError('unknown type id 0x%04x' % type_id)
    return cls.unpack(payload)

# ---- end of runtime
