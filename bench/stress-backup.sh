#!/usr/bin/env bash
# Backup under adversity (issue "Trust under adversity", item 5), TRIES times
# (default 100). Two private mariadbd: A is the one [database] dsn names
# (over TCP, with a password), B is the machine's default (root's ~/.my.cnf
# names its socket). Each try:
#   1. a backup dumps A (its marker) and not B, the password never in the
#      running dump's /proc/PID/cmdline;
#   2. two backups right after each other: two files (never one replacing the other);
#   3. three files db-backup-{a,b,c}.sql.gz sort after it, keep = 3: the new backup stays;
#   4. a running backup gets SIGHUP, SIGINT, SIGTERM or SIGKILL (in turn): no
#      .partial after the first three; after SIGKILL the next backup removes it;
#   5. --readonly backup into a folder that does not exist creates nothing.
# Prints "N tries, W wrong" and every wrong one. Run as root; needs mariadb-server.
# Usage: bench/stress-backup.sh [path/to/richsops]   (default: make build)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-bin/richsops}
TRIES=${TRIES:-100}
[ -n "${1:-}" ] || make -s build
BIN=$(realpath "$BIN")
W=$(mktemp -d /var/tmp/richsops-stress-backup.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # name port
  local d=$W/$1
  mkdir -p "$d/tmp" # its own tmpdir: a clean-up of /tmp elsewhere on the box must not pull its temp tables away
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$d/data" \
    --auth-root-authentication-method=normal --skip-test-db >"$d/install.log" 2>&1 || { cat "$d/install.log"; exit 1; }
  mariadbd --no-defaults --user="$(id -un)" --datadir="$d/data" --socket="$d/sock" --port="$2" \
    --bind-address=127.0.0.1 --pid-file="$d/pid" --tmpdir="$d/tmp" --skip-log-bin >"$d/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 60); do
    mariadb --no-defaults -S "$d/sock" -uroot -e 'select 1' >/dev/null 2>&1 && return
    sleep 1
  done
  echo "mariadbd $1 did not start"; cat "$d/log"; exit 1
}
PA=$(port); PB=$(port)
start a "$PA"; start b "$PB"
PW='s3cr"t pw'
mariadb --no-defaults -S "$W/a/sock" -uroot -e "CREATE DATABASE mk; CREATE TABLE mk.which (s VARCHAR(40));
  INSERT INTO mk.which VALUES ('dsn-server'),('dsn-server'),('dsn-server'),('dsn-server'),('dsn-server');
  CREATE USER 'bk'@'127.0.0.1' IDENTIFIED BY 's3cr\"t pw'; GRANT ALL ON *.* TO 'bk'@'127.0.0.1';"
mariadb --no-defaults -S "$W/b/sock" -uroot -e "CREATE DATABASE mk; CREATE TABLE mk.which (s VARCHAR(40));
  INSERT INTO mk.which VALUES ('machine-default-server');"
export HOME=$W/home
mkdir -p "$HOME"
printf '[client]\nsocket=%s\nuser=root\n' "$W/b/sock" >"$HOME/.my.cnf"
DSN="bk:${PW}@tcp(127.0.0.1:$PA)/"
conf() { # file dir keep dump...
  local f=$1 dir=$2 keep=$3; shift 3
  local q; q=$(printf '"%s", ' "$@"); q=${q%, }
  cat >"$f" <<TOML
audit_log = "$W/audit.jsonl"
[database]
dsn = '$DSN'
datadir = "$W/a/data"
[backup]
dir = "$dir"
keep = $keep
min_free = "1KiB"
dump = [$q]
TOML
}
conf "$W/fast.toml" "$W/bk" 1000 mariadb-dump --single-transaction mk
conf "$W/slow.toml" "$W/bk" 1000 mariadb-dump --single-transaction "--where=SLEEP(0.4) = 0" mk
conf "$W/rot.toml" "$W/rot" 3 mariadb-dump --single-transaction mk
rs() { "$BIN" "$@" >>"$W/out.log" 2>&1; }
wrong=0
bad() { wrong=$((wrong + 1)); echo "try $i: $*"; }
count() { ls "$1" 2>/dev/null | grep -c '^db-.*\.sql\.gz$'; }
sigs=(HUP INT TERM KILL)
for i in $(seq "$TRIES"); do
  for s in a b; do # a server that died is no verdict on richsops: stop and say so
    mariadb --no-defaults -S "$W/$s/sock" -uroot -e 'select 1' >/dev/null 2>&1 ||
      { echo "mariadbd $s died before try $i (see its log):"; tail -40 "$W/$s/log"; echo "$((i - 1)) tries, $wrong wrong"; exit 2; }
  done
  # 1 and 2: the DSN's server, two backups in a row
  before=$(count "$W/bk")
  rs --config "$W/fast.toml" --yes backup || bad "backup failed: $(tail -3 "$W/out.log")"
  rs --config "$W/fast.toml" --yes backup || bad "backup failed: $(tail -3 "$W/out.log")"
  [ "$(count "$W/bk")" = $((before + 2)) ] || bad "two backups left $(( $(count "$W/bk") - before )) files"
  newest=$(ls -t "$W/bk"/db-*.sql.gz | head -1)
  text=$(zcat "$newest")
  grep -q dsn-server <<<"$text" && ! grep -q machine-default <<<"$text" || bad "dumped the wrong server ($newest)"
  # 3: rotation with names that sort after the new one
  rm -rf "$W/rot"; mkdir -p "$W/rot"; touch "$W/rot"/db-backup-{a,b,c}.sql.gz
  rs --config "$W/rot.toml" --yes backup || bad "rotation backup failed"
  ls "$W/rot" | grep -q '^db-2' || bad "rotation removed the backup just written"
  # 4: a signal to a running backup; the password never in argv
  sig=${sigs[$(( (i - 1) % 4 ))]}
  "$BIN" --config "$W/slow.toml" --yes backup >>"$W/out.log" 2>&1 &
  bp=$!
  for _ in $(seq 500); do
    ls "$W/bk" | grep -q '\.partial$' && pgrep -x mariadb-dump >/dev/null && break
    sleep 0.01
  done
  for p in $(pgrep -x mariadb-dump); do
    { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q 's3cr' && bad "password in the dump's argv"
  done
  kill -s "$sig" "$bp"; wait "$bp" 2>/dev/null
  for p in $(pgrep -x mariadb-dump); do # an orphaned dump of ours (by its pid)
    grep -qa -- "--port=$PA" "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p"
  done
  if [ "$sig" = KILL ]; then
    rs --config "$W/fast.toml" --yes backup || bad "backup after SIGKILL failed"
  fi
  ls "$W/bk" | grep -q '\.partial$' && bad "SIG$sig: a .partial stays: $(ls "$W/bk" | grep partial)"
  ls "$W/bk" | grep -q '^richsops-dump' && bad "option file left"
  ls /tmp | grep -q '^richsops-dump-' && bad "option file left in /tmp"
  # 5: read-only creates nothing
  conf "$W/ro.toml" "$W/ro/$i" 3 mariadb-dump mk
  rs --config "$W/ro.toml" --readonly --yes backup && bad "--readonly backup ran"
  [ -e "$W/ro" ] && { bad "--readonly backup created $(ls -R "$W/ro" | head -3)"; rm -rf "$W/ro"; }
done
echo "$TRIES tries, $wrong wrong"
[ "$wrong" = 0 ]
