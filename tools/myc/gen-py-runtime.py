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
        for i, x in enumerate(v):
            _check_scalar('%s[%d]' % (where, i), f.elem, x)
        return list(v)
    _check_scalar(where, f.kind, v)
    return v


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


def _code(f):
    if f.role == 'pad' or f.kind in ('string', 'bytes'):
        return '%ds' % f.size
    if f.kind == 'array':
        return '%d%s' % (f.cap, _KINDS[f.elem][0])
    return _KINDS[f.kind][0]


class Message:
    """Base of the generated message classes."""
    __slots__ = ()
    NAME = ''
    TYPE_ID = 0
    TOPIC = ''
    SIZE = 0
    _LAYOUT = ()

    def __init__(self, **values):
        for f in self._FIELDS:
            object.__setattr__(self, f.name, _default(f))
        for k, v in values.items():
            setattr(self, k, v)

    def __setattr__(self, name, value):
        f = self._BY_NAME.get(name)
        if f is None:
            raise AttributeError('%s has no field %r' % (self.NAME, name))
        object.__setattr__(self, name, _normalize(type(self), f, value))

    def pack(self):
        """The payload bytes (SIZE of them), checking every field."""
        vals = []
        for i, f in enumerate(self._LAYOUT):
            if f.role == 'pad':
                vals.append(bytes(f.size))
            elif f.role == 'len':
                vals.append(len(getattr(self, self._ARRAY_OF[i])))
            else:
                # re-check: lists may have been changed in place
                v = _normalize(type(self), f, getattr(self, f.name))
                if f.kind == 'string':
                    vals.append(v.encode('utf-8'))
                elif f.kind == 'array':
                    vals.extend(int(x) if f.elem == 'bool' else x for x in v)
                    vals.extend([0] * (f.cap - len(v)))
                elif f.kind == 'bool':
                    vals.append(int(v))
                else:
                    vals.append(v)
        return self._STRUCT.pack(*vals)

    @classmethod
    def unpack(cls, buf):
        """Decode and check a payload; raises SchemaError when malformed."""
        buf = bytes(buf)
        if len(buf) != cls.SIZE:
            raise SchemaError('%s: payload is %d bytes, expected %d'
                              % (cls.NAME, len(buf), cls.SIZE))
        vals = cls._STRUCT.unpack(buf)
        obj = cls.__new__(cls)
        i = 0
        count = 0
        for f in cls._LAYOUT:
            where = '%s.%s' % (cls.NAME, f.name)
            if f.kind == 'array':
                v = vals[i:i + f.cap]
                i += f.cap
            else:
                v = vals[i]
                i += 1
            if f.role == 'pad':
                if v != bytes(f.size):
                    raise SchemaError('%s: padding at offset %d is not zero'
                                      % (where, f.offset))
                continue
            if f.role == 'len':
                count = v
                continue
            if f.kind == 'string':
                n = v.find(b'\0')
                n = len(v) if n < 0 else n
                if v[n:] != bytes(len(v) - n):
                    raise SchemaError('%s: bytes after the end of the string are '
                                      'not zero' % where)
                try:
                    v = v[:n].decode('utf-8')
                except UnicodeDecodeError as e:
                    raise SchemaError('%s: not UTF-8 (%s)' % (where, e)) from None
            elif f.kind == 'array':
                if count > f.cap:
                    raise SchemaError('%s: count %d exceeds the capacity of %d'
                                      % (where, count, f.cap))
                esz = f.size // f.cap
                tail = buf[f.offset + count * esz:f.offset + f.size]
                if tail != bytes(len(tail)):
                    raise SchemaError('%s: elements beyond the count are not zero'
                                      % where)
                v = list(v[:count])
                if f.elem == 'bool':
                    if any(x > 1 for x in v):
                        raise SchemaError('%s: bool element is not 0 or 1' % where)
                    v = [bool(x) for x in v]
            elif f.kind == 'bool':
                if v > 1:
                    raise SchemaError('%s: bool byte is %d, not 0 or 1' % (where, v))
                v = bool(v)
            object.__setattr__(obj, f.name, v)
        return obj

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name)
                   for f in self._FIELDS)

    def __repr__(self):
        return '%s(%s)' % (self.NAME, ', '.join(
            '%s=%r' % (f.name, getattr(self, f.name)) for f in self._FIELDS))


def _init(cls):
    """Build the struct from the layout and check it agrees with the
    offsets and size the schema compiler computed."""
    cls._FIELDS = tuple(f for f in cls._LAYOUT if f.role == 'field')
    cls._BY_NAME = {f.name: f for f in cls._FIELDS}
    # a count member counts the first field after it (an array)
    cls._ARRAY_OF = {i: next(g.name for g in cls._LAYOUT[i:] if g.role == 'field')
                     for i, f in enumerate(cls._LAYOUT) if f.role == 'len'}
    fmt = '<'
    layout = []
    for f in cls._LAYOUT:
        off = _struct.calcsize(fmt)
        fmt += _code(f)
        layout.append((f.name, off, _struct.calcsize(fmt) - off))
        if (off, layout[-1][2]) != (f.offset, f.size):
            raise ImportError('%s.%s: layout mismatch' % (cls.NAME, f.name))
    if _struct.calcsize(fmt) != cls.SIZE:
        raise ImportError('%s: size mismatch' % cls.NAME)
    cls._STRUCT = _struct.Struct(fmt)
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
