#!/usr/bin/env bash
# Installs (Debian packages) and runs RabbitMQ and Redis on loopback for the integration tests and benchmarks.
# Idempotent: "start" leaves already-running servers alone. Prints the env vars the tests read.
# "cluster-start" adds a three-node RabbitMQ cluster and a Redis Cluster (three masters, one replica each) on their
# own loopback ports and data directories, for the high-availability tests; "cluster-stop" stops them.
# "cluster-node-kill N" kills RabbitMQ cluster node N (1-3) as a crash would (SIGKILL); "cluster-node-start N" starts it
# again, and it rejoins the cluster from its data directory. The cluster's ports can be moved with
# SYNCGW_CLUSTER_RABBIT_PORTS (three AMQP ports; each node's distribution port is its AMQP port + 20000) and
# SYNCGW_CLUSTER_REDIS_PORTS (six ports, masters first; each node's bus port is its port + 10000).
# Every failure prints one line naming what failed, then the last lines of that server's log.
set -euo pipefail
# The RabbitMQ nodes run as the rabbitmq user and must reach their directories under ours, whatever umask we inherit.
umask 022

REDIS_PORT="${SYNCGW_REDIS_PORT:-6379}"
RABBIT_PORT="${SYNCGW_RABBIT_PORT:-5672}"
STATE_DIR="${SYNCGW_SERVICES_DIR:-/tmp/syncgw-services}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# fail MESSAGE [LOG...]: the message, then the last lines of each log that exists, then exit 1.
fail() {
  local message="$1" log
  shift
  echo "services: $message" >&2
  for log in "$@"; do
    if [ -f "$log" ]; then echo "--- last lines of $log" >&2; tail -n 15 "$log" >&2; fi
  done
  exit 1
}

listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

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

# redis_at PORT COMMAND...: one command to the Redis on that loopback port. Bounded: a port held by a program that is
# not Redis would keep redis-cli waiting for an answer forever.
redis_at() { local port="$1"; shift; timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@"; }
redis_port_up() { redis_at "$1" ping >/dev/null 2>&1; }
redis_up() { redis_port_up "$REDIS_PORT"; }
rabbit_up() { rabbitmqctl -q status >/dev/null 2>&1; }

start_redis() {
  if redis_up; then return; fi
  mkdir -p "$STATE_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
    --dir "$STATE_DIR/redis" --logfile "$STATE_DIR/redis/redis.log" --pidfile "$STATE_DIR/redis/redis.pid"
  for _ in $(seq 1 50); do redis_up && return; sleep 0.1; done
  fail "redis did not start on port $REDIS_PORT" "$STATE_DIR/redis/redis.log"
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
  fail "rabbitmq did not start on port $RABBIT_PORT" /var/log/rabbitmq/"rabbit@$(hostname -s).log"
}

stop_all() {
  redis_at "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
}

read -r -a CLUSTER_RABBIT_PORTS <<< "${SYNCGW_CLUSTER_RABBIT_PORTS:-5681 5682 5683}"
read -r -a CLUSTER_REDIS_PORTS <<< "${SYNCGW_CLUSTER_REDIS_PORTS:-7101 7102 7103 7104 7105 7106}"
[ ${#CLUSTER_RABBIT_PORTS[@]} -eq 3 ] || fail "SYNCGW_CLUSTER_RABBIT_PORTS must name three ports"
[ ${#CLUSTER_REDIS_PORTS[@]} -eq 6 ] || fail "SYNCGW_CLUSTER_REDIS_PORTS must name six ports"
cluster_node() { echo "syncgw-c$1@localhost"; }
cluster_node_up() { as_root rabbitmqctl -q -n "$(cluster_node "$1")" status >/dev/null 2>&1; }

start_cluster_rabbit_node() {
  local i="$1" port="${CLUSTER_RABBIT_PORTS[$(($1 - 1))]}" node dir taken
  node="$(cluster_node "$i")"
  dir="$STATE_DIR/rabbit-c$i"
  if cluster_node_up "$i"; then return; fi
  for taken in "$port" "$((port + 20000))"; do
    if listens "$taken"; then fail "port $taken, which rabbitmq node $node needs, is taken by another program: set SYNCGW_CLUSTER_RABBIT_PORTS"; fi
  done
  mkdir -p "$dir"
  # No plugins (the management listener would collide between nodes); schedulers do not busy-wait on 2 cores.
  echo "[]." > "$dir/enabled_plugins"
  # Debian's rabbitmq-server runs the node as the rabbitmq user, which must own the node's directory.
  if id rabbitmq >/dev/null 2>&1; then as_root chown -R rabbitmq:rabbitmq "$dir"; fi
  as_root env RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
    RABBITMQ_DIST_PORT="$((port + 20000))" RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_PID_FILE="$dir/pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none" \
    rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    as_root rabbitmqctl -q -n "$node" await_startup --timeout 30 >/dev/null 2>&1 && return
    sleep 2
  done
  fail "rabbitmq node $node did not start on port $port" "$dir/log/$node.log"
}

start_cluster_rabbit() {
  local first i node step output running=0
  first="$(cluster_node 1)"
  for i in 1 2 3; do cluster_node_up "$i" && running=$((running + 1)); done
  # With no node running, what is on disk is a cluster that stopped (or a machine that was switched off) earlier: its
  # nodes would wait for each other's tables at boot, so start from empty nodes instead.
  if [ "$running" -eq 0 ]; then as_root rm -rf "$STATE_DIR"/rabbit-c[123]; fi
  for i in 1 2 3; do start_cluster_rabbit_node "$i"; done
  for i in 2 3; do
    node="$(cluster_node "$i")"
    if ! as_root rabbitmqctl -q -n "$first" cluster_status 2>/dev/null | grep -q "$node"; then
      for step in stop_app "join_cluster $first" start_app; do
        # shellcheck disable=SC2086 # the step is a command with its argument
        output="$(as_root rabbitmqctl -q -n "$node" $step 2>&1)" \
          || fail "rabbitmqctl -n $node $step failed: $output" "$STATE_DIR/rabbit-c$i/log/$node.log"
      done
    fi
  done
}

redis_cluster_ok() { redis_at "${CLUSTER_REDIS_PORTS[0]}" cluster info 2>/dev/null | grep -q "cluster_state:ok"; }

start_cluster_redis() {
  local port dir taken output running=0 nodes=()
  for port in "${CLUSTER_REDIS_PORTS[@]}"; do
    redis_port_up "$port" && running=$((running + 1))
  done
  # With no node running, old nodes.conf files describe a cluster that is gone: "--cluster create" would refuse the
  # restarted nodes as not empty, so start from empty nodes instead.
  if [ "$running" -eq 0 ]; then
    for port in "${CLUSTER_REDIS_PORTS[@]}"; do rm -rf "$STATE_DIR/redis-c$port"; done
  fi
  for port in "${CLUSTER_REDIS_PORTS[@]}"; do
    nodes+=("127.0.0.1:$port")
    redis_port_up "$port" && continue
    for taken in "$port" "$((port + 10000))"; do
      if listens "$taken"; then fail "port $taken, which the Redis Cluster needs, is taken by another program: set SYNCGW_CLUSTER_REDIS_PORTS"; fi
    done
    dir="$STATE_DIR/redis-c$port"
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save "" --appendonly no --cluster-enabled yes \
      --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 2000 --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid"
    for _ in $(seq 1 50); do redis_port_up "$port" && break; sleep 0.1; done
    redis_port_up "$port" || fail "redis-server did not start on port $port" "$dir/redis.log"
  done
  if [ "$running" -gt 0 ] && ! redis_at "${CLUSTER_REDIS_PORTS[0]}" cluster info | grep -q "cluster_known_nodes:1\b"; then
    # Nodes restarted beside running ones rejoin from their nodes.conf; give the gossip time to settle.
    for _ in $(seq 1 150); do redis_cluster_ok && return; sleep 0.1; done
    fail "the Redis Cluster did not return to cluster_state:ok (run cluster-stop, then cluster-start)" "$STATE_DIR/redis-c${CLUSTER_REDIS_PORTS[0]}/redis.log"
  fi
  if ! redis_cluster_ok; then
    output="$(redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes 2>&1)" \
      || fail "redis-cli --cluster create failed: $(echo "$output" | grep -E 'ERR|rror' | head -n 5)" "$STATE_DIR/redis-c${CLUSTER_REDIS_PORTS[0]}/redis.log"
    for _ in $(seq 1 300); do
      redis_cluster_ok && return
      sleep 0.1
    done
    fail "the Redis Cluster did not reach cluster_state:ok in 30 s" "$STATE_DIR/redis-c${CLUSTER_REDIS_PORTS[0]}/redis.log"
  fi
}

kill_cluster_rabbit_node() {
  local i="$1" port="${CLUSTER_RABBIT_PORTS[$(($1 - 1))]}" pid
  pid="$(cat "$STATE_DIR/rabbit-c$i/pid" 2>/dev/null || true)"
  if [ -n "$pid" ]; then as_root kill -KILL "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 50); do
    listens "$port" || return 0
    sleep 0.1
  done
  fail "rabbitmq node $(cluster_node "$i") still listens on $port"
}

stop_cluster() {
  local port i
  for port in "${CLUSTER_REDIS_PORTS[@]}"; do redis_at "$port" shutdown nosave >/dev/null 2>&1 || true; done
  for i in 3 2 1; do as_root rabbitmqctl -q -n "$(cluster_node "$i")" stop >/dev/null 2>&1 || true; done
}

cluster_env() {
  local hosts=() port
  for port in "${CLUSTER_RABBIT_PORTS[@]}"; do hosts+=("127.0.0.1:$port"); done
  echo "SYNCGW_TEST_RABBITMQ_CLUSTER=amqp://guest:guest@127.0.0.1:${CLUSTER_RABBIT_PORTS[0]}/"
  echo "SYNCGW_TEST_RABBITMQ_CLUSTER_NODES=$(IFS=,; echo "${hosts[*]}")"
  echo "SYNCGW_TEST_RABBITMQ_CLUSTER_NODE_NAMES=$(cluster_node 1),$(cluster_node 2),$(cluster_node 3)"
  echo "SYNCGW_TEST_REDIS_CLUSTER=$(IFS=,; printf '127.0.0.1:%s,' "${CLUSTER_REDIS_PORTS[@]:0:3}" | sed 's/,$//')"
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
  cluster-start)
    install_missing
    start_cluster_redis
    start_cluster_rabbit
    cluster_env
    ;;
  cluster-stop) stop_cluster ;;
  cluster-node-kill|cluster-node-start)
    case "${2:-}" in 1|2|3) ;; *) echo "usage: $0 $1 1|2|3" >&2; exit 2 ;; esac
    if [ "$1" = cluster-node-kill ]; then kill_cluster_rabbit_node "$2"; else start_cluster_rabbit_node "$2"; fi
    ;;
  *) echo "usage: $0 start|stop|cluster-start|cluster-stop|cluster-node-kill N|cluster-node-start N" >&2; exit 2 ;;
esac
