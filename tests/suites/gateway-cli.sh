#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: "myc gateway" as an operator runs it: bad usage exits 2 with
# the usage text; a missing or invalid topology, an unknown node, a node
# that runs services, two gateway nodes on one host, no gateway on another
# host, a bad ring domain and a port in use each exit 1 with one clear
# line; a running pair of gateways (loopback: hosts 127.0.0.1 and
# 127.0.0.2) stops cleanly on SIGTERM and on SIGINT (exit 0, "stopping")
# and leaves no ring behind; gateways of different schemas (--schema)
# refuse each other and both log why.  (Link counters: gateway-*.c.)  One PASS/FAIL
# line per check.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/suite.sh"

port=$((20000 + $$ % 20000))
dom=gwcli$$


cat >"$tmp/gw.toml" <<T
[[nodes]]
name = "gw-a"
services = []
host = "127.0.0.1"
port = $port

[[nodes]]
name = "gw-b"
services = []
host = "127.0.0.2"
port = $port

[[nodes]]
name = "app"
services = ["feed"]
host = "127.0.0.1"
port = $((port + 1))

[topics.ticks]
type = 7
T
cat >"$tmp/twin.toml" <<T
[[nodes]]
name = "gw-a"
services = []
host = "10.0.0.1"
port = 7100

[[nodes]]
name = "gw-a2"
services = []
host = "10.0.0.1"
port = 7101

[[nodes]]
name = "gw-b"
services = []
host = "10.0.0.2"
port = 7100
T
cat >"$tmp/alone.toml" <<T
[[nodes]]
name = "gw"
services = []

[[nodes]]
name = "app"
services = ["feed"]
T
printf '[[nodes]]\nname = "a"\nservices = []\nprot = 1\n' >"$tmp/bad.toml"

check usage-no-args expect 2 "expected FILE NODE" "$myc" gateway
check usage-bad-poll expect 2 "--poll-ms: \"0\" is not" "$myc" gateway --poll-ms 0 --domain d "$tmp/gw.toml" gw-a
check usage-bad-option expect 2 "usage: myc gateway" "$myc" gateway --bogus "$tmp/gw.toml" gw-a
check missing-file expect 1 "^myc gateway: $tmp/none.toml: No such file" \
	"$myc" gateway --domain "$dom" "$tmp/none.toml" gw-a
check invalid-file expect 1 "bad.toml:4:1: nodes\[0\]\.prot: unknown key" \
	"$myc" gateway --domain "$dom" "$tmp/bad.toml" a
check unknown-node expect 1 "gw.toml: no node \"gw-x\"" \
	"$myc" gateway --domain "$dom" "$tmp/gw.toml" gw-x
check node-with-services expect 1 "node \"app\" runs 1 service\(s\) \(\"feed\", ...\): a gateway node has services = \[\]" \
	"$myc" gateway --domain "$dom" "$tmp/gw.toml" app
check two-gateways-one-host expect 1 "host 10.0.0.1 has two gateway nodes, \"gw-a\" and \"gw-a2\"" \
	"$myc" gateway --domain "$dom" "$tmp/twin.toml" gw-a
check two-gateways-other-host expect 1 "host 10.0.0.1 has two gateway nodes" \
	"$myc" gateway --domain "$dom" "$tmp/twin.toml" gw-b
check no-remote-gateway expect 1 "gateway \"gw\": no gateway node \(services = \[\]\) on a host other than localhost" \
	"$myc" gateway --domain "$dom" "$tmp/alone.toml" gw
check missing-schema expect 1 "^myc gateway: $tmp/none.yaml: No such file" \
	"$myc" gateway --domain "$dom" --schema "$tmp/none.yaml" "$tmp/gw.toml" gw-a
check bad-domain expect 1 "ring domain \"\.x\": expected 1-57 of" \
	"$myc" gateway --domain .x "$tmp/gw.toml" gw-a

# Without --domain a gateway relays the topology's ring domain, the one
# "myc topo show" names and the application buses default to.
default_domain() {
	local d g
	d=$("$myc" topo show "$tmp/gw.toml" | sed -n 's/^ring_domain: //p')
	[ -n "$d" ] || { echo "no ring_domain in myc topo show"; return 1; }
	"$myc" gateway "$tmp/gw.toml" gw-a 2>"$tmp/d.log" &
	g=$!
	for _ in $(seq 100); do
		grep -q relaying "$tmp/d.log" && break
		sleep 0.05
	done
	kill "$g"; wait "$g"
	cat "$tmp/d.log"
	grep -q "node gw-a relaying ring domain $d\$" "$tmp/d.log"
}
check default-domain default_domain

# A running pair; gw-b (the name that sorts last) listens.
stop_with() { # SIGNAL: start both, stop both with it, check logs
	local sig=$1 a b ra rb
	"$myc" gateway --domain "${dom}a" "$tmp/gw.toml" gw-a 2>"$tmp/a.log" &
	a=$!
	"$myc" gateway --domain "${dom}b" "$tmp/gw.toml" gw-b 2>"$tmp/b.log" &
	b=$!
	for _ in $(seq 100); do
		grep -q relaying "$tmp/a.log" && grep -q relaying "$tmp/b.log" && break
		sleep 0.05
	done
	# A second gw-b cannot listen on the same port.
	expect 1 "gateway \"gw-b\": listen on tcp:0.0.0.0:$port \(gateway \"gw-a\" of host 127.0.0.1\): Address already in use" \
		"$myc" gateway --domain "${dom}c" "$tmp/gw.toml" gw-b || { kill "$a" "$b"; return 1; }
	kill "-$sig" "$a" "$b"
	wait "$a"; ra=$?
	wait "$b"; rb=$?
	cat "$tmp/a.log" "$tmp/b.log"
	[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] &&
	grep -q "node gw-a stopping ($sig)" "$tmp/a.log" &&
	grep -q "node gw-b stopping ($sig)" "$tmp/b.log" &&
	! ls /dev/shm 2>/dev/null | grep -q "myc\.$dom"
}
check stop-sigterm stop_with SIGTERM
check stop-sigint stop_with SIGINT

# Gateways of different schemas refuse each other, both saying why.
schema_mismatch() {
	local a b ra rb
	"$myc" gateway --domain "${dom}a" --schema "$top/examples/schema/trading.yaml" \
		"$tmp/gw.toml" gw-a 2>"$tmp/a.log" &
	a=$!
	"$myc" gateway --domain "${dom}b" "$tmp/gw.toml" gw-b 2>"$tmp/b.log" &
	b=$!
	for _ in $(seq 400); do
		grep -q "handshake" "$tmp/a.log" && grep -q "handshake" "$tmp/b.log" && break
		sleep 0.05
	done
	kill "$a" "$b"
	wait "$a"; ra=$?
	wait "$b"; rb=$?
	cat "$tmp/a.log" "$tmp/b.log"
	[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] &&
	grep -q "gw-a: handshake: rejected by peer: schema digest mismatch: node 'gw-b' has 0000000000000000" "$tmp/a.log" &&
	grep -q "gw-b: handshake: we refused peer 'gw-a': schema digest mismatch" "$tmp/b.log"
}
check schema-mismatch schema_mismatch
