#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
echo "demo: the trading pipeline lands with the in-process bus" >&2
exit 1
