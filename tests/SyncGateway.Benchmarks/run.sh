#!/usr/bin/env bash
# One command for the benchmarks: starts RabbitMQ and Redis on loopback (deploy/local/services.sh), publishes the
# gateway Release, runs the benchmark program. Arguments pass through: --quick, --only ingress,limit, --keep-work,
# --queue-type quorum, --cluster (also starts the local three-node RabbitMQ cluster: cluster-start).
# Results: benchmark-results/benchmark-<profile>-<time>.md and .json (docs/benchmarks.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
eval "$("$root/deploy/local/services.sh" start | sed 's/^/export /')"
if [[ " $* " == *" --cluster "* ]]; then
  eval "$("$root/deploy/local/services.sh" cluster-start | sed 's/^/export /')"
fi
dotnet publish "$root/src/SyncGateway/SyncGateway.csproj" -c Release -o "$root/artifacts/benchmark-gateway" -p:UseAppHost=false --nologo -v quiet
dotnet run -c Release --project "$root/tests/SyncGateway.Benchmarks" -- \
  --gateway "$root/artifacts/benchmark-gateway/SyncGateway.dll" --results "$root/benchmark-results" "$@"
