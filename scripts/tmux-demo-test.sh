#!/usr/bin/env bash
# Drives `richsops-demo` in a real terminal (tmux, 100x30): visits every tab
# with the number keys and tab, checks that each tab's title is highlighted
# and its content shows (Overview: the seeded history's killed run; Jobs: a
# recorded LAST RUN, and R on a running job refuses before it asks for
# arguments; Database: the backup list), opens the full help, quits with q,
# and checks that the pane exited and no sandbox process is left. On the Logs
# tab a bad regexp must keep its prompt (and the keys typed after it) to
# itself. On failure it prints the
# captured screen and exits non-zero.
#
# Usage: scripts/tmux-demo-test.sh [BIN]   (default bin/richsops-demo: make build-demo)
set -euo pipefail

name="tmux demo test"
# shellcheck source=scripts/tmux-lib.sh
. "$(dirname "$0")/tmux-lib.sh"
setup "${1:-bin/richsops-demo}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/richsops-tmux-test.XXXXXX")
sb=$tmp/sandbox
sock=richsops-demo-test-$$
sess=demo
tm() { tmux -L "$sock" "$@"; }
screen() { tm capture-pane -p -S -100 -t "$sess" 2>/dev/null | tail -30 || true; }
screen_sgr() { tm capture-pane -p -e -t "$sess" 2>/dev/null || true; }
pids=()

# sandbox_pids: processes whose command line names the sandbox (the tmux
# server that started the demo names it too, and is not one of them).
sandbox_pids() {
	local p
	for p in $(pgrep -f -- "$sb" || true); do
		# tmux itself and the pane's shell (which only records the exit
		# status) are not the sandbox's.
		[[ "$(cat /proc/"$p"/comm 2>/dev/null)" == tmux* ]] && continue
		[ "$p" = "${pane_pid:-}" ] && continue
		echo "$p"
	done
}

cleanup() {
	tm kill-server 2>/dev/null || true
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail_extra() {
	if [ -f "$sb/run/activity.log" ]; then echo "----- activity.log -----"; tail -20 "$sb/run/activity.log"; fi
}

# is_highlighted N TITLE: the tab bar (line 1) shows "[N TITLE]", bold,
# underlined or reversed (the active tab's style).
is_highlighted() {
	screen_sgr | head -1 | N="$1" TITLE="$2" perl -e '
		my $bar = join("", <STDIN>);
		my $e = qr/\e\[[0-9;:]*m/;
		my ($n, $t) = (quotemeta($ENV{N}), quotemeta($ENV{TITLE}));
		# The active tab is bracketed, [N TITLE], in every colour profile ...
		exit 1 unless $bar =~ /\[((?:$e)*)$n(?:$e)*\s(?:$e)*$t(?:$e)*\]/;
		my $sgr = $1;
		# ... and, when the terminal gets colours at all, also bold,
		# underlined or reversed.
		exit 0 unless $bar =~ $e;
		exit(($sgr =~ /\e\[(?:[0-9:]*;)*(?:1|4|7)(?:[;m])/) ? 0 : 1);
	'
}

# highlighted N TITLE: waits until tab N is the highlighted one.
highlighted() {
	local i
	for ((i = 0; i < 300; i++)); do
		is_highlighted "$1" "$2" && return 0
		sleep 0.1
	done
	fail "tab \"$1 $2\" is not highlighted in the tab bar: $(screen_sgr | head -1 | cat -v)"
}

# NO_COLOR (and CI, which makes termenv assume no terminal) would turn off
# the colours whose highlight this test checks.
# The exit status goes to a file: tmux's #{pane_dead_status} is sometimes
# empty when the pty's EOF beats the child's exit.
tm new-session -d -s "$sess" -x 100 -y 30 "env -u NO_COLOR -u CI $bin --lang en --dir $sb; echo \$? > $sb.exit"
tm set-option -t "$sess" remain-on-exit on >/dev/null
pane_pid=$(tm display-message -p -t "$sess" '#{pane_pid}')

wait_for "1 Overview" 30
highlighted 1 Overview
# The console starts once the sandbox's server is up: the first Overview
# must not report it down (it used to, until the next refresh 15 s later).
if grep -q "The sandbox's own mariadbd" "$sb/etc/richsops/config.toml" 2>/dev/null; then
	wait_for "Attention" 15
	! screen | grep -qE "MySQL does not answer|mysqld degraded" || fail "the first screen reports the sandbox's mariadbd down"
fi
for f in "$sb"/run/pids/*.json; do
	[ -e "$f" ] && pids+=("$(basename "$f" .json)")
done
while read -r p; do pids+=("$p"); done < <(sandbox_pids)
[ "${#pids[@]}" -ge 3 ] || fail "expected the sandbox's processes (activity, writer, jobs), found ${#pids[@]}"

# The seeded history's killed last run is an attention item.
wait_for "check_item_yahoo: last run killed" 20

tm send-keys -t "$sess" 2
highlighted 2 Jobs
wait_for "check_item_mercari"
# LAST RUN is the recorded run (the seeded history), not the log's guess.
wait_for "killed [0-9].* ago [0-9]" 10
wait_for " ok [0-9].* ago [0-9]" 10
# The demo's watch service records the jobs the demo started.
wait_for "running [0-9].* ago" 30
# R on the running check_item_mercari refuses first (already running) and
# says which key goes on; it never asks for the arguments before that.
tm send-keys -t "$sess" j R
wait_for "press A to start another instance" 15
! screen | grep -q "args>" || fail "R asked for arguments before refusing"
wait_for "PID +USER +STARTED" 5
wait_for "manage\.py check_item_mercari" 5

tm send-keys -t "$sess" 3
highlighted 3 Logs
wait_for "inventory|django\.log|nginx|INFO|WARNING"
# The first visit opens the four app logs ([logview] open), stacked at 100
# columns (a side-by-side pane would be under 60 columns): one header each,
# at the start of its row.
for l in django inventory-yahoo inventory-mercari update-amazon-feed; do
	wait_for "^ $l( |$)"
done
# A bad regexp keeps the prompt open with the text and the error under it:
# the keys typed next (5, enter) go to the prompt, not to the tabs.
# The first visit's panes are open; the focused one takes the filter.
tm send-keys -t "$sess" F
wait_for "filter regexp:" 10
tm send-keys -t "$sess" -l 'ERROR|Traceback ('
tm send-keys -t "$sess" Enter
wait_for "bad regexp" 10
tm send-keys -t "$sess" -l 5
tm send-keys -t "$sess" Enter
wait_for "filter regexp: ERROR\|Traceback \(5" 10
highlighted 3 Logs
tm send-keys -t "$sess" Escape
for ((i = 0; i < 100; i++)); do
	screen | grep -q "filter regexp:" || break
	sleep 0.1
done
! screen | grep -qE "filter regexp:|bad regexp" || fail "esc did not close the regexp prompt and its error"

tm send-keys -t "$sess" 4
highlighted 4 Database
wait_for "mysql|binlog|datadir|Database|3306|unreachable"
# With MariaDB installed the sandbox runs its own server: the tab shows it
# answering (version in the title) with its binary logs, and quitting
# below must stop it too.
real_db=
if grep -q "The sandbox's own mariadbd" "$sb/etc/richsops/config.toml" 2>/dev/null; then
	real_db=1
	wait_for "^Database +[0-9]+\.[0-9]+\.[0-9]+-MariaDB" 15
	wait_for "mysql-bin\.000001" 15
	# The backups of [backup] dir are listed under the binary logs.
	wait_for "BACKUP +SIZE +AGE +VERIFIED" 5
	db_pid=$(pgrep -f -- "--datadir=$sb/var/lib/mysql" || true)
	[ -n "$db_pid" ] || fail "the tab shows a server but no mariadbd runs on the sandbox's datadir"
	pids+=($db_pid)
fi

tm send-keys -t "$sess" 5
highlighted 5 Services
wait_for "nginx"
wait_for "index-linux"

tm send-keys -t "$sess" Tab
highlighted 1 Overview
tm send-keys -t "$sess" Tab
highlighted 2 Jobs
tm send-keys -t "$sess" BTab
highlighted 1 Overview
tm send-keys -t "$sess" 1

tm send-keys -t "$sess" '?'
wait_for "next tab" 10
wait_for "prev tab" 10
tm send-keys -t "$sess" '?'

tm send-keys -t "$sess" q
for ((i = 0; i < 300; i++)); do
	[ "$(tm display-message -p -t "$sess" '#{pane_dead}' 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
[ "$(tm display-message -p -t "$sess" '#{pane_dead}')" = 1 ] || fail "the demo did not exit after q"
status=
for ((i = 0; i < 300; i++)); do
	status=$(cat "$sb.exit" 2>/dev/null || true)
	[ -n "$status" ] && break
	sleep 0.1
done
[ "$status" = 0 ] || fail "the demo exited with status '$status'"
wait_for "its config: .*config.toml" 5

for ((i = 0; i < 100; i++)); do
	alive=()
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
	[ "${#alive[@]}" -eq 0 ] && break
	sleep 0.1
done
if [ "${#alive[@]}" -gt 0 ]; then
	ps -o pid,args -p "$(IFS=,; echo "${alive[*]}")" || true
	fail "sandbox processes left after quitting: ${alive[*]}"
fi
if [ -n "$(sandbox_pids)" ]; then
	ps -o pid,args -p "$(sandbox_pids | paste -sd,)" || true
	fail "a process still names the sandbox after quitting"
fi
echo "tmux demo test: OK (5 tabs, a bad regexp kept in its prompt, tab/shift+tab, help, quit; ${#pids[@]} sandbox processes stopped${real_db:+, mariadbd among them})"
