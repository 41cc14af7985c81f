#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# "make demo": the trading pipeline (feed -> strategy -> risk -> execution)
# as four processes whose buses are bridged over shared-memory rings (pure
# userspace mode).  --inproc runs the same stages as threads on one
# in-process bus instead.  Extra arguments go to the pipeline, e.g.
#   examples/run-demo.sh --seconds 5 --rate 500000
#   examples/run-demo.sh --inproc
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" examples
exec "$top/build/examples/trading-pipeline" "$@"
