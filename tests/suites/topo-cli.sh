#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: "myc topo check|show|route" as an operator uses them: the
# example topologies check clean; an invalid file exits 1 with
# "FILE:LINE:COL: KEY: problem" on stderr; a missing file is named; show
# lists nodes, topics and a route with its reason for every ordered pair of
# services; route answers for one pair and refuses unknown services; bad
# usage exits 2.  Also "myc toml-decode" exit codes.  One PASS/FAIL line
# per check.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/suite.sh"

for f in "$top"/examples/*.toml; do
	check "check-example-$(basename "$f" .toml)" \
		expect 0 "^$f: ok \([0-9]+ nodes" "$myc" topo check "$f"
done

cat >"$tmp/dup.toml" <<'T'
[[nodes]]
name = "a"
services = ["feed"]

[[nodes]]
name = "b"
services = ["strategy", "feed"]
T
check check-invalid-names-file-line-key \
	expect 1 "^myc topo: $tmp/dup.toml:7:25: nodes\[1\]\.services\[1\]: service \"feed\" is already in node \"a\" \(line 3\)" \
	"$myc" topo check "$tmp/dup.toml"

printf '[[nodes]]\nname = "a"\nservices = ["x"]\nport = 7000\nendpoint = { kind = "rdma" }\n' >"$tmp/kind.toml"
check check-bad-kind \
	expect 1 "$tmp/kind.toml:5:21: nodes\[0\]\.endpoint\.kind: unknown kind \"rdma\"" \
	"$myc" topo check "$tmp/kind.toml"

printf '[[nodes]]\nname = "a"\nservices = ["x"\n' >"$tmp/syntax.toml"
check check-syntax-error \
	expect 1 "$tmp/syntax.toml:4:1: unterminated array" "$myc" topo check "$tmp/syntax.toml"

check check-missing-file \
	expect 1 "$tmp/none.toml: No such file or directory" "$myc" topo check "$tmp/none.toml"

ex=$top/examples/topology.toml
check show-lists-nodes-and-topics \
	expect 0 "^  gateway: host localhost, endpoint unix /tmp/mycelium/gateway.sock" \
	"$myc" topo show "$ex"
check show-topic-settings \
	expect 0 "^  orders: type 3, policy lossless, ring_size 1024, max_size 256" \
	"$myc" topo show "$ex"
check show-inproc-route \
	expect 0 "^  strategy -> risk: inproc \(same node \"engine\"" "$myc" topo show "$ex"
check show-shm-route \
	expect 0 "^  feed -> strategy: shm \(same host localhost" "$myc" topo show "$ex"
check show-unix-route \
	expect 0 "^  feed -> execution: unix \(.*asks for endpoint kind \"unix\"" "$myc" topo show "$ex"

# 4 services: every ordered pair of distinct services, 12 routes
show_all_pairs() {
	local n
	"$myc" topo show "$ex" >"$tmp/show" || return 1
	n=$(grep -cE '^  [a-z]+ -> [a-z]+: (inproc|shm|unix|tcp) \(' "$tmp/show")
	[ "$n" -eq 12 ] || { echo "$n routes, want 12"; return 1; }
}
check show-every-pair show_all_pairs

multi=$top/examples/topology-multihost.toml
check route-other-host-tcp \
	expect 0 $'^tcp\tother host: "md" is on 10.0.0.1, "gateway" on 10.0.0.3: TCP to 10.0.0.3:7004' \
	"$myc" topo route "$multi" feed execution
check route-unknown-service \
	expect 1 'service "nosuch" is not in any node' "$myc" topo route "$multi" feed nosuch
check usage-no-args expect 2 "usage: myc topo" "$myc" topo
check usage-bad-verb expect 2 "usage: myc topo" "$myc" topo frob "$ex"

decode() { printf "$1" | "$myc" toml-decode; }
check toml-decode-valid expect 0 '^\{"a":\{"type":"integer","value":"1"\}\}$' decode 'a = 1\n'
check toml-decode-invalid expect 1 '<stdin>:2:4: expected a value' decode 'a = 1\nb =\n'
check toml-decode-usage expect 2 'usage: myc toml-decode' "$myc" toml-decode extra

