#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# "make demo": the in-process trading pipeline (feed -> strategy -> risk ->
# execution on one bus).  Extra arguments go to the pipeline, e.g.
#   examples/run-demo.sh --seconds 5 --rate 500000
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" examples
exec "$top/build/examples/trading-pipeline" "$@"
