#!/usr/bin/env bash
# Installs (Debian packages) and runs RabbitMQ and Redis on loopback for the integration tests and benchmarks.
# Idempotent: "start" leaves already-running servers alone. Prints the env vars the tests read.
set -euo pipefail

REDIS_PORT="${SYNCGW_REDIS_PORT:-6379}"
RABBIT_PORT="${SYNCGW_RABBIT_PORT:-5672}"
STATE_DIR="${SYNCGW_SERVICES_DIR:-/tmp/syncgw-services}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "services: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }
rabbit_up() { rabbitmqctl -q status >/dev/null 2>&1; }

start_redis() {
  if redis_up; then return; fi
  mkdir -p "$STATE_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
    --dir "$STATE_DIR/redis" --logfile "$STATE_DIR/redis/redis.log" --pidfile "$STATE_DIR/redis/redis.pid"
  for _ in $(seq 1 50); do redis_up && return; sleep 0.1; done
  echo "services: redis did not start, see $STATE_DIR/redis/redis.log" >&2; exit 1
}

start_rabbit() {
  if rabbit_up; then return; fi
  # The Debian package may have started a service already, or left none running; start it detached on loopback.
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT"
  as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT" rabbitmq-server -detached >/dev/null 2>&1 || true
  # await_startup fails at once while the node is still booting (prelaunch), so poll it.
  for _ in $(seq 1 60); do
    as_root rabbitmqctl -q await_startup --timeout 30 >/dev/null 2>&1 && return
    sleep 2
  done
  echo "services: rabbitmq did not start, see /var/log/rabbitmq" >&2; exit 1
}

stop_all() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start)
    install_missing
    start_redis
    start_rabbit
    echo "SYNCGW_TEST_RABBITMQ=amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"
    echo "SYNCGW_TEST_REDIS=127.0.0.1:$REDIS_PORT"
    ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
