#!/usr/bin/env bash
# Runs every test on a fresh machine: starts RabbitMQ and Redis on loopback (installing them if needed), and their
# clusters, then the suite.
set -euo pipefail
cd "$(dirname "$0")"
eval "$(deploy/local/services.sh start | sed 's/^/export /')"
# The high-availability tests (trait Category=Cluster) need a three-node RabbitMQ cluster and a Redis Cluster.
eval "$(deploy/local/services.sh cluster-start | sed 's/^/export /')"
log="$(mktemp -t syncgw-test.XXXXXX)"
trap 'rm -f "$log"' EXIT
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
exit "$status"
