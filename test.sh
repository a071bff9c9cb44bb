#!/usr/bin/env bash
# Runs every test on a fresh machine: starts RabbitMQ and Redis on loopback (installing them if needed), then the suite.
set -euo pipefail
cd "$(dirname "$0")"
eval "$(deploy/local/services.sh start | sed 's/^/export /')"
dotnet test SyncGateway.sln -c Release --logger "console;verbosity=normal" "$@"
