# SPDX-License-Identifier: MIT
"""Frame encode/decode through the binding, including malformed input."""
import struct

import pytest

import mycelium


def test_roundtrip():
    b = mycelium.frame_encode(0x42, b"hello", seq=7, ts_ns=99)
    assert len(b) == 40
    hdr, payload, span = mycelium.frame_decode(b)
    assert span == 40
    assert payload == b"hello"
    h = mycelium.Header(*hdr)
    assert (h.len, h.type_id, h.seq, h.ts_ns) == (37, 0x42, 7, 99)


def test_wire_layout_little_endian():
    b = mycelium.frame_encode(0x1234, b"", seq=0x0102030405060708)
    assert struct.unpack_from("<IHHQ", b) == (32, 0x1234, 0, 0x0102030405060708)


@pytest.mark.parametrize("data,code", [
    (b"\0" * 10, "frame: buffer shorter than a frame header"),
    (struct.pack("<IHHQQII", 16, 1, 0, 0, 0, 0, 0), "frame: length below header size"),
    (struct.pack("<IHHQQII", 1 << 20, 1, 0, 0, 0, 0, 0), "frame: length above the maximum frame size"),
    (struct.pack("<IHHQQII", 32, 1, 0x100, 0, 0, 0, 0), "frame: unknown flags"),
    (struct.pack("<IHHQQII", 48, 1, 0, 0, 0, 0, 0), "frame: length runs past the buffer"),
])
def test_malformed(data, code):
    with pytest.raises(mycelium.MyceliumError) as e:
        mycelium.frame_decode(data)
    assert e.value.args[1] == code
    assert e.value.args[0] >= 4000


def test_bad_type_id():
    with pytest.raises(mycelium.MyceliumError):
        mycelium.frame_encode(0x10000, b"")
