# Shared by the tmux drives (sourced): setup, fail and wait_for. The caller
# sets $name (the test's name in messages), defines screen (prints the
# captured pane) and may define fail_extra (more to print on failure).

# setup BIN: $bin is the binary's full path; exit when it is missing, skip
# (exit 0) without tmux except under CI; a usable TERM (CI runners often
# have none; the pane gets tmux's own anyway).
setup() {
	bin=$(readlink -f "$1")
	[ -x "$bin" ] || { echo "$name: no binary at $bin (make build)"; exit 1; }
	if ! command -v tmux >/dev/null; then
		if [ -n "${CI:-}" ]; then echo "$name: tmux is missing (CI installs it)"; exit 1; fi
		echo "$name: SKIP (tmux not installed)"
		exit 0
	fi
	if [ "${TERM:-dumb}" = dumb ]; then export TERM=xterm-256color; fi
}

fail() {
	echo "$name: FAIL: $*"
	echo "----- screen -----"
	screen
	echo "------------------"
	if declare -F fail_extra >/dev/null; then fail_extra; fi
	exit 1
}

# wait_for REGEX [SECONDS [soft]]: until the screen matches (3x SECONDS: CI
# machines are shared and slow); on time-out fail, or with soft return 1.
wait_for() {
	local re=$1 secs=$(( ${2:-15} * 3 )) i
	for ((i = 0; i < secs * 10; i++)); do
		if screen | grep -qE -- "$re"; then return 0; fi
		sleep 0.1
	done
	[ -n "${3:-}" ] && return 1
	fail "waited ${secs}s for /$re/"
}
