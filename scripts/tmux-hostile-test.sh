#!/usr/bin/env bash
# Shows a job process whose argv holds OSC 52 (clipboard), OSC 0 and OSC 2
# (title), CSI, DCS, BEL, CR and bidi overrides in the console's kill dialog,
# in a real terminal (tmux, 80x24, which accepts OSC 52 into its buffers
# here), and checks that the pane title and tmux's buffers did not change and
# that the dialog shows the argv escaped. A control pane that prints the same
# bytes raw proves that tmux would have changed both. Then it opens a
# confirm dialog longer than the screen (the clean-up of many tmp files with
# long names), checks that y does nothing until the end has been shown, and
# cancels. Needs root (the job runs as root, as app.user says).
#
# Usage: scripts/tmux-hostile-test.sh [BIN]   (default bin/richsops)
set -euo pipefail

name="tmux hostile test"
# shellcheck source=scripts/tmux-lib.sh
. "$(dirname "$0")/tmux-lib.sh"
setup "${1:-bin/richsops}"
[ "$(id -u)" = 0 ] || { echo "$name: SKIP (needs root)"; exit 0; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/richsops-hostile.XXXXXX")
chmod 755 "$tmp"
sock=richsops-hostile-$$
sess=hostile
job=check_item_yahoo_tmux$$
tm() { tmux -L "$sock" "$@"; }
screen() { tm capture-pane -p -t "$sess:0" 2>/dev/null || true; }
pids=()

cleanup() {
	tm kill-server 2>/dev/null || true
	for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

bad=$(printf 'x\e]52;c;cHduZWQ=\a\e]0;PWNED-TITLE\a\e]2;PWNED-TITLE2\e\\\e[2J\ePq\e\\\a\rEVIL\u202eexe')

# The box: a fake manage.py running the job with that argv, its app folder,
# a tmp folder of old files with long names (for the long dialog), a config.
mkdir -p "$tmp/app" "$tmp/public/tmp" "$tmp/logs"
printf '#!/bin/sh\nsleep 300 &\nwait\n' >"$tmp/app/manage.py"
(cd "$tmp/app" && exec setsid sh manage.py "$job" "$bad") &
pids+=($!)
disown
for i in $(seq -w 1 40); do
	f="$tmp/public/tmp/upload-$i-【新品未開封】ニンテンドースイッチ本体_有機ELモデル_ホワイト.csv"
	echo x >"$f"
	touch -d '30 days ago' "$f"
done
: >"$tmp/crontab"
cat >"$tmp/config.toml" <<EOF
audit_log = "$tmp/audit.jsonl"
lang = "en"
[app]
dir = "$tmp/app"
log_dir = "$tmp/logs"
user = "root"
python = "/bin/sh"
[crontab]
path = "$tmp/crontab"
reload = ["true"]
[public]
dir = "$tmp/public"
folders = ["tmp"]
[database]
dsn = "root@tcp(127.0.0.1:1)/"
[amazon]
captcha_url = "http://127.0.0.1:1/amazon/captcha/"
[[probes]]
name = "index-linux"
url = "http://127.0.0.1:1/health"
[[jobs]]
name = "$job"
EOF

tm -f /dev/null new-session -d -s "$sess" -x 80 -y 24 "env -u NO_COLOR -u CI $bin --config $tmp/config.toml"
tm set-option -g set-clipboard on >/dev/null
tm set-option -g allow-rename on >/dev/null
tm select-pane -t "$sess:0" -T before
title0=$(tm display -p -t "$sess:0" '#{pane_title}')
buffers0=$(tm list-buffers 2>/dev/null | wc -l)

wait_for 'Overview'
tm send-keys -t "$sess:0" 2
wait_for "manage.py check_ite"
tm send-keys -t "$sess:0" X
# Raw bytes could clear the screen before the title shows: look at the
# title and buffers whatever the screen says.
wait_for 'jobs.kill' 5 soft || true
sleep 0.5
title1=$(tm display -p -t "$sess:0" '#{pane_title}')
buffers1=$(tm list-buffers 2>/dev/null | wc -l)
[ "$title1" = "$title0" ] || fail "the pane title changed: '$title0' -> '$title1'"
[ "$buffers1" = "$buffers0" ] || fail "tmux buffers changed: $buffers0 -> $buffers1: $(tm list-buffers)"
grep -qF '\x1b]52;c;' <<<"$(screen)" || fail "the dialog does not show the argv escaped"
tm send-keys -t "$sess:0" Escape
wait_for 'cancelled: jobs.kill'

# The control: the same bytes printed raw do change both.
tm new-window -d -t "$sess:1" "printf '%s' '$bad'; sleep 30"
sleep 1
[ "$(tm list-buffers 2>/dev/null | wc -l)" != "$buffers0" ] || fail "control: tmux took no buffer from a raw OSC 52 (the check would prove nothing)"
[ "$(tm display -p -t "$sess:1" '#{pane_title}')" != "$title0" ] || fail "control: a raw OSC 2 did not retitle its pane"

# The long dialog: the clean-up of 40 files does not fit 80x24; y waits for
# its end.
tm send-keys -t "$sess:0" 1
wait_for 'Overview'
tm send-keys -t "$sess:0" C
wait_for 'Scroll to the end to go ahead'
tm send-keys -t "$sess:0" y
sleep 0.5
screen | grep -q 'Scroll to the end to go ahead' || fail "y closed the dialog before its end was shown"
[ -n "$(ls "$tmp/public/tmp")" ] || fail "y removed files before the end was shown"
for i in $(seq 1 40); do tm send-keys -t "$sess:0" PgDn; done
wait_for 'y go ahead'
screen | grep -q 'upload-40-' || fail "the last file is not on the screen at the end"
tm send-keys -t "$sess:0" n
wait_for 'cancelled: public.clean'
[ "$(ls "$tmp/public/tmp" | wc -l)" = 40 ] || fail "a cancelled clean-up removed files"
tm send-keys -t "$sess:0" q
echo "tmux hostile test: OK (pane title and buffers unchanged; the long dialog scrolled and waited for its end)"
