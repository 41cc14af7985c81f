#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Description: kernel module selftests in qemu (TCG) for every test kernel
# (6.1 and 6.12); one PASS/FAIL/SKIP line per guest test per kernel.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$top/scripts/vm/vmcheck.sh"
