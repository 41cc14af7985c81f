# SPDX-License-Identifier: MIT
"""Description: Bus(digest=...) takes the schema digest as 32 bytes
(bytes, bytearray, memoryview), as a generated module or as one of its
message classes; anything else is a TypeError, a wrong length a
ValueError, and no bus is made.  DigestMismatch is the MyceliumError
subclass of the library's MYC_E_DIGEST code.  A bus from a topology takes
its digest from the schema, so digest= there is a TypeError."""
import errno
import sys

import pytest

import mycelium
from mycelium import _mycelium
from conftest import SCHEMA


def test_digest_forms_accepted(trading):
    assert len(trading.SCHEMA_DIGEST) == mycelium.SCHEMA_DIGEST_LEN
    sys.modules.setdefault(trading.Quote.__module__, trading)
    for d in (trading.SCHEMA_DIGEST, bytearray(trading.SCHEMA_DIGEST),
              memoryview(trading.SCHEMA_DIGEST), trading, trading.Quote,
              None):
        with mycelium.Bus(name="py-dg", digest=d) as bus:
            assert bus.name == "py-dg"


@pytest.mark.parametrize("bad", ["ab" * 32, 32, 1.5, object(), [0] * 32,
                                 mycelium.Bus])
def test_digest_wrong_type(bad):
    with pytest.raises(TypeError) as e:
        mycelium.Bus(name="py-dg", digest=bad)
    assert "digest" in str(e.value)


@pytest.mark.parametrize("n", [0, 1, 31, 33, 64])
def test_digest_wrong_length(n):
    with pytest.raises(ValueError) as e:
        mycelium.Bus(name="py-dg", digest=b"\x01" * n)
    assert "exactly 32 bytes, got %d" % n in str(e.value)


def test_c_layer_validates_too():
    # The extension type itself refuses what the Python layer passes on.
    with pytest.raises(ValueError):
        _mycelium.Bus("py-dg", digest=b"\x00" * 31)
    with pytest.raises(TypeError):
        _mycelium.Bus("py-dg", digest="x" * 32)


def test_module_without_digest_refused():
    with pytest.raises(TypeError):
        mycelium.Bus(name="py-dg", digest=errno)


def test_topology_bus_takes_schema_digest(tmp_path, trading):
    topo = tmp_path / "t.toml"
    topo.write_text('[[nodes]]\nname = "n"\nservices = ["s"]\n')
    with pytest.raises(TypeError):
        mycelium.Bus.from_topology(topo, "s", digest=trading)
    with pytest.raises(TypeError) as e:
        _mycelium.Bus(topology=str(topo), service="s",
                      digest=trading.SCHEMA_DIGEST)
    assert "takes its digest from the schema" in str(e.value)
    with mycelium.Bus.from_topology(topo, "s", schema=SCHEMA) as bus:
        assert bus.name == "n"


def test_digest_mismatch_is_registered():
    assert issubclass(mycelium.DigestMismatch, mycelium.MyceliumError)
    assert _mycelium.error_classes[_mycelium.E_DIGEST] is mycelium.DigestMismatch
    assert "digest" in mycelium.strerror(_mycelium.E_DIGEST)
