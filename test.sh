#!/usr/bin/env bash
# Runs every test on a fresh machine: starts RabbitMQ and Redis on loopback (installing them if needed), and their
# clusters, then the suite.
set -euo pipefail
cd "$(dirname "$0")"
# services.sh prints NAME=value lines; each becomes an exported variable.
export_lines() { eval "$(sed 's/^/export /' <<< "$1")"; }
export_lines "$(deploy/local/services.sh start)"

# The high-availability tests (trait Category=Cluster) need a three-node RabbitMQ cluster and a Redis Cluster. If they
# cannot start (a port taken, a node that does not boot), try once more from scratch on other ports; if that fails too,
# those tests are skipped with the reason, which is repeated at the end of the output, and the rest still run.
cluster_errors="$(mktemp -t syncgw-cluster.XXXXXX)"
log="$(mktemp -t syncgw-test.XXXXXX)"
trap 'rm -f "$log" "$cluster_errors"' EXIT
start_cluster() {
  local vars
  vars="$(deploy/local/services.sh cluster-start 2>>"$cluster_errors")" || return 1
  export_lines "$vars"
}
if ! start_cluster; then
  # Stopped, the clusters start from empty nodes (services.sh).
  deploy/local/services.sh cluster-stop
  export SYNCGW_CLUSTER_RABBIT_PORTS="35681 35682 35683" SYNCGW_CLUSTER_REDIS_PORTS="37101 37102 37103 37104 37105 37106"
  echo "--- second try on ports $SYNCGW_CLUSTER_RABBIT_PORTS and $SYNCGW_CLUSTER_REDIS_PORTS" >> "$cluster_errors"
  if ! start_cluster; then
    export SYNCGW_TEST_CLUSTER_UNAVAILABLE="the local clusters did not start (deploy/local/services.sh cluster-start): $(grep -m1 '^services:' "$cluster_errors" || echo 'see its output')"
  fi
fi
[ -s "$cluster_errors" ] && cat "$cluster_errors" >&2

status=0
dotnet test SyncGateway.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  # The gateway's logs interleave with the results; repeat each failure (name, message, stack) where a reader of the
  # last lines will see it.
  echo
  echo "=== failed tests ==="
  awk '/^  Failed [A-Za-z]/ { show = 1; n = 0 }
       show && /^  (Standard Output Messages|Passed |Skipped )/ { show = 0 }
       show && /^\{"@t"/ { next }
       show && n++ < 60 { print }' "$log"
fi
if [ -s "$cluster_errors" ]; then
  echo
  echo "=== the local clusters: what went wrong starting them ==="
  cat "$cluster_errors"
  [ -n "${SYNCGW_TEST_CLUSTER_UNAVAILABLE:-}" ] && echo "The tests of Category=Cluster were skipped: $SYNCGW_TEST_CLUSTER_UNAVAILABLE"
fi
exit "$status"
