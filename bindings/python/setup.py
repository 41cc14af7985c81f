# SPDX-License-Identifier: MIT
"""Build the mycelium package against libmyc.

Headers and library are found through MYC_INCLUDE / MYC_LIBDIR when set
(the build tree, as "make check" does), else through pkg-config libmyc, else
/usr/local.  Install with:  pip install ./bindings/python
"""
import os
import subprocess

from setuptools import Extension, setup


def pkgconfig(flag):
    try:
        out = subprocess.run(["pkg-config", flag, "libmyc"], check=True,
                             capture_output=True, text=True).stdout
        return [x[2:] for x in out.split()]
    except (OSError, subprocess.CalledProcessError):
        return []


inc = [os.environ["MYC_INCLUDE"]] if "MYC_INCLUDE" in os.environ else \
    (pkgconfig("--cflags-only-I") or ["/usr/local/include"])
lib = [os.environ["MYC_LIBDIR"]] if "MYC_LIBDIR" in os.environ else \
    (pkgconfig("--libs-only-L") or ["/usr/local/lib"])

setup(
    name="mycelium",
    version="0.1.0",
    description="Python binding to the Mycelium publish/subscribe bus",
    license="MIT",
    packages=["mycelium"],
    ext_modules=[Extension(
        "mycelium._mycelium", ["mycelium/_mycelium.c"],
        include_dirs=inc, library_dirs=lib, runtime_library_dirs=lib,
        libraries=["myc"], extra_compile_args=["-O2", "-Wall"])],
)
