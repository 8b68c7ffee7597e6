#!/usr/bin/env bash
# Makes sure MySQL/MariaDB and Redis answer on their configured addresses (DB_HOST/DB_PORT,
# REDIS_HOST/REDIS_PORT; dev defaults 127.0.0.1:3306 and 127.0.0.1:6379). In order:
#   1. leave them alone if they answer (quiet: prints nothing);
#   2. start the installed Debian services;
#   3. as root, apt-get install mariadb-server / redis-server and start them;
#   4. docker compose up -d mysql redis (with deploy/compose.dev-services.yml publishing them on localhost);
#   5. fail, saying exactly what to run.
# Then, as root, installs the MySQL client tools if they are missing (npm run backup / restore use them).
# It also installs nginx (Debian's package, as root) where it is missing, without starting it: the
# topology test (test/e2e/topology.e2e-spec.ts) runs a private nginx with its own configuration.
# Idempotent. Only local addresses are ever started; a remote one that does not answer is an error.
set -uo pipefail
cd "$(dirname "$0")/.."

db_host="${DB_HOST:-127.0.0.1}"
db_port="${DB_PORT:-3306}"
redis_host="${REDIS_HOST:-127.0.0.1}"
redis_port="${REDIS_PORT:-6379}"

say() { echo "services: $*" >&2; }

answers() { # host port: does something accept TCP connections there?
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

mysql_answers() {
  answers "$db_host" "$db_port" || return 1
  # A socket that accepts is not enough while MariaDB is still starting: ask it.
  local client
  client=$(command -v mariadb-admin || command -v mysqladmin || true)
  [ -z "$client" ] && return 0
  "$client" --host="$db_host" --port="$db_port" --user="${DB_USER:-root}" ${DB_PASSWORD:+--password="$DB_PASSWORD"} \
    --connect-timeout=2 ping >/dev/null 2>&1 ||
    # Access denied still means the server is up (a user/password problem is for the app to report).
    "$client" --host="$db_host" --port="$db_port" --user=storekeep_probe --connect-timeout=2 ping 2>&1 | grep -q 'Access denied'
}

redis_answers() {
  answers "$redis_host" "$redis_port" || return 1
  command -v redis-cli >/dev/null || return 0
  local reply
  reply=$(timeout 2 redis-cli -h "$redis_host" -p "$redis_port" ${REDIS_PASSWORD:+-a "$REDIS_PASSWORD" --no-auth-warning} ping 2>&1)
  [ "$reply" = PONG ] || [[ "$reply" == *NOAUTH* ]]
}

is_local() { [[ "$1" == 127.* || "$1" == localhost || "$1" == ::1 ]]; }

wait_for() { # name check-function seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    "$2" && return 0
    sleep 0.5
  done
  return 1
}

start_mysql_service() {
  if command -v service >/dev/null && [ -x /etc/init.d/mariadb ]; then service mariadb start >/dev/null 2>&1 && return 0; fi
  if command -v service >/dev/null && [ -x /etc/init.d/mysql ]; then service mysql start >/dev/null 2>&1 && return 0; fi
  if [ -x /usr/sbin/mariadbd ] && command -v start-stop-daemon >/dev/null; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1 && return 0
  fi
  return 1
}

start_redis_service() {
  command -v redis-server >/dev/null || return 1
  # Started directly, not through Debian's init script: its redis.conf snapshots to /var/lib/redis,
  # which is not writable on every machine, and a Redis that cannot snapshot refuses every write
  # (MISCONF). A dev/test Redis keeps nothing on disk; production uses its own (see docker-compose).
  local dir=/var/lib/redis
  [ -d "$dir" ] && [ -w "$dir" ] || dir=$(mktemp -d)
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$dir" >/dev/null 2>&1
}

installed() { [ "$1" = mysql ] && [ -x /usr/sbin/mariadbd -o -x /usr/sbin/mysqld ] || { [ "$1" = redis ] && command -v redis-server >/dev/null; }; }

ensure() { # name check start apt-package compose-service host port
  local name=$1 check=$2 start=$3 package=$4 compose_service=$5 host=$6 port=$7
  local settings=DB
  [ "$name" = redis ] && settings=REDIS
  "$check" && return 0
  if ! is_local "$host"; then
    say "$name at $host:$port does not answer, and it is not local, so this script will not start it."
    return 1
  fi
  if installed "$name"; then
    say "$name is not answering on $host:$port: starting the installed service"
    "$start" && wait_for "$name" "$check" 30 && return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! installed "$name"; then
    say "$name is not installed: apt-get install -y $package"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >/dev/null 2>&1 &&
      "$start" && wait_for "$name" "$check" 30 && return 0
  fi
  if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
    say "starting $name with docker compose ($compose_service)"
    docker compose -f docker-compose.yml -f deploy/compose.dev-services.yml up -d "$compose_service" >/dev/null &&
      wait_for "$name" "$check" 90 && return 0
  fi
  say "could not get $name answering on $host:$port. Do one of:
    sudo apt-get install -y $package && sudo service ${package%-server} start
    docker compose -f docker-compose.yml -f deploy/compose.dev-services.yml up -d $compose_service
  or point the ${settings}_* settings (see .env.example) at a running server."
  return 1
}

# nginx: installed, never started (no system daemon on port 80: tests run their own). Without it only
# the topology test fails, saying how to install it, so a missing nginx is a warning here.
ensure_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "nginx is not installed: apt-get install -y nginx (not started)"
    # Debian starts a service on install unless policy-rc.d says no (101): say no for this install
    # only, when the machine has no policy of its own (Docker images have one that says no already).
    local policy=/usr/sbin/policy-rc.d added=''
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=yes
    fi
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; } >/dev/null 2>&1
    local installed=$?
    [ -n "$added" ] && rm -f "$policy"
    [ $installed = 0 ] && return 0
  fi
  say "nginx is not installed (the topology test needs it): sudo apt-get install -y nginx"
  return 0
}

status=0
ensure_nginx
ensure mysql mysql_answers start_mysql_service mariadb-server mysql "$db_host" "$db_port" || status=1
ensure redis redis_answers start_redis_service redis-server redis "$redis_host" "$redis_port" || status=1

# npm run backup / restore (and their test) need the client tools, also when the server is a container.
# Not a failure here: only those need them.
if ! command -v mariadb-dump >/dev/null && ! command -v mysqldump >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "MySQL client tools missing (npm run backup/restore): apt-get install -y mariadb-client"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-client; } >/dev/null 2>&1 ||
      say "could not install mariadb-client"
  else
    say "npm run backup/restore need the MySQL client tools: sudo apt-get install -y mariadb-client"
  fi
fi
exit $status
