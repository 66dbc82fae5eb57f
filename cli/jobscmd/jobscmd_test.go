package jobscmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/jobs"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		sub  string
		args []string
		ok   bool
		want flags
	}{
		{"list", nil, true, flags{}},
		{"list", []string{"x"}, false, flags{}},
		{"run", []string{"--force", "--args", "1 2  --max-workers 3", "j"}, true, flags{name: "j", force: true, args: []string{"1", "2", "--max-workers", "3"}, argsSet: true}},
		{"run", []string{"j", "--args=", "--override"}, true, flags{name: "j", override: true, args: []string{}, argsSet: true}},
		{"run", []string{"--kill", "j"}, false, flags{}},
		{"kill", []string{"--pid", "42", "--wait", "3s", "j"}, true, flags{name: "j", pid: 42, wait: 3 * time.Second}},
		{"kill", []string{"--pid", "x", "j"}, false, flags{}},
		{"pause", []string{"j", "--kill"}, true, flags{name: "j", kill: true}},
		{"resume", []string{"--run", "j"}, true, flags{name: "j", runAfter: true}},
		{"resume", []string{"a", "b"}, false, flags{}},
		{"kill", []string{"--args"}, false, flags{}},
	}
	for _, c := range cases {
		got, err := parse(nil, c.sub, c.args)
		if (err == nil) != c.ok {
			t.Errorf("%s %v: err %v", c.sub, c.args, err)
			continue
		}
		if c.ok && (got.name != c.want.name || got.force != c.want.force || got.override != c.want.override || got.kill != c.want.kill ||
			got.runAfter != c.want.runAfter || got.pid != c.want.pid || got.wait != c.want.wait || got.argsSet != c.want.argsSet ||
			strings.Join(got.args, "|") != strings.Join(c.want.args, "|")) {
			t.Errorf("%s %v: %+v", c.sub, c.args, got)
		}
	}
}

// setup writes a crontab and a config with four test jobs and returns
// how to run the CLI on them, the crontab's path and its content.
func setup(t *testing.T) (runCLI func(stdin string, args ...string) (int, string, string), tab, content string) {
	return setupWith(t, "")
}

// setupWith is setup with more of the config (extra, TOML at its end).
func setupWith(t *testing.T, extra string) (runCLI func(stdin string, args ...string) (int, string, string), tab, content string) {
	dir := t.TempDir()
	tab = filepath.Join(dir, "crontab")
	content = "0 3,15 * * * richs cd /x && python manage.py check_item_mercari_tc 2 4\n0 4 * * * richs python manage.py check_item_mercari_tc_v2\n"
	os.WriteFile(tab, []byte(content), 0o644)
	cfgPath := writeConfig(dir, `
# Names of their own: other packages' tests and the demo run real
# check_item_mercari processes at the same time.
[[jobs]]
name = "check_item_yahoo_tc"
[[jobs]]
name = "check_item_mercari_tc"
guard = "index-linux"
[[jobs]]
name = "update_item_yahoo_tc"
[[jobs]]
name = "update_item_mercari_tc"
guard = "index-linux"
`+extra)
	runCLI = func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath}, args...), strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	return runCLI, tab, content
}

// writeConfig writes dir/config.toml for an app in dir run as nobody by
// /bin/sh, its crontab dir/crontab, audit and locks in dir too, and jobs
// (TOML) after it; it returns its path.
func writeConfig(dir, jobs string) string {
	p := filepath.Join(dir, "config.toml")
	os.WriteFile(p, []byte(`audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
state_dir = "`+filepath.Join(dir, "state")+`"
lock_dir = "`+filepath.Join(dir, "locks")+`"
[app]
dir = "`+dir+`"
log_dir = "`+dir+`"
user = "nobody"
python = "/bin/sh"
[crontab]
path = "`+filepath.Join(dir, "crontab")+`"
reload = ["true"]
[history]
path = "`+filepath.Join(dir, "history.db")+`"
`+jobs), 0o644)
	return p
}

func TestCLI(t *testing.T) {
	runCLI, tab, content := setup(t)
	code, out, errs := runCLI("", "jobs", "list", "--json")
	if code != 0 {
		t.Fatalf("list: %d %s", code, errs)
	}
	var st []jobs.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st) != 4 || st[1].State != crontab.StateActive {
		t.Fatalf("list json: %v %s", err, out)
	}
	if code, _, _ := runCLI("", "jobs", "pause", "nope"); code != cli.ExitUsage {
		t.Errorf("unknown job: exit %d", code)
	}
	if code, _, _ := runCLI("n\n", "jobs", "pause", "check_item_mercari_tc"); code != cli.ExitFail {
		t.Errorf("declined pause: exit %d", code)
	}
	if code, _, errs := runCLI("", "--yes", "jobs", "pause", "check_item_mercari_tc"); code != 0 {
		t.Fatalf("pause: %d %s", code, errs)
	}
	b, _ := os.ReadFile(tab)
	if !strings.HasPrefix(string(b), crontab.PausedPrefix) || !strings.Contains(string(b), "\n0 4 * * * richs python manage.py check_item_mercari_tc_v2") {
		t.Fatalf("after pause: %q", b)
	}
	if code, out, _ := runCLI("", "jobs", "list"); code != 0 || !strings.Contains(out, "paused") || !strings.Contains(out, "check_item_mercari_tc: paused by ") {
		t.Errorf("list: %s", out)
	}
	if code, _, errs := runCLI("y\n", "jobs", "resume", "check_item_mercari_tc"); code != 0 {
		t.Fatalf("resume: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(tab); string(b) != content {
		t.Fatalf("after resume: %q", b)
	}
	// Guarded job, no health check wired: refused with the override hint.
	jobs.DefaultGuard = nil
	if code, _, errs := runCLI("", "--yes", "jobs", "run", "check_item_mercari_tc"); code != cli.ExitFail || !strings.Contains(errs, "--override") {
		t.Errorf("guarded run: %d %s", code, errs)
	}
	if code, _, errs := runCLI("", "--yes", "jobs", "run", "--override", "check_item_mercari_tc"); code == 0 || !strings.Contains(errs, "OVERRIDE") {
		t.Errorf("override with --yes and no typed word: %d %s", code, errs)
	}
	if code, _, errs := runCLI("", "--readonly", "--yes", "jobs", "pause", "check_item_mercari_tc"); code == 0 || !strings.Contains(errs, "read-only") {
		t.Errorf("read-only: %d %s", code, errs)
	}
}

// TestRefusalsFollowLang: what the CLI prints when it refuses is in the
// configured language (--lang), the commands and the word to type as they
// are; the exit codes do not change.
func TestRefusalsFollowLang(t *testing.T) {
	runCLI, _, _ := setup(t) // no health check is wired in (guardcmd is not linked here): guarded jobs are refused
	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		code   int
		en, ja []string // the last lines of stderr (* as in gatetest.Match)
	}{
		{"guard", "", []string{"--yes", "jobs", "run", "check_item_mercari_tc"}, cli.ExitFail, []string{
			"richsops jobs: check_item_mercari_tc refused: index-linux is unhealthy: * (an override needs a typed confirmation)",
			"  to start it anyway: richsops jobs run --override check_item_mercari_tc",
		}, []string{
			"richsops jobs: check_item_mercari_tc は実行しません: index-linux が異常です: *（強制実行には確認の入力が必要です）",
			"  それでも開始するには: richsops jobs run --override check_item_mercari_tc",
		}},
		{"typed word with --yes", "", []string{"--yes", "jobs", "run", "--override", "check_item_mercari_tc"}, cli.ExitFail,
			[]string{"richsops jobs: this needs a typed confirmation: run interactively, or set RICHSOPS_CONFIRM=OVERRIDE"},
			[]string{"richsops jobs: 確認の入力が必要です: 対話的に実行するか、RICHSOPS_CONFIRM=OVERRIDE を設定してください"}},
		{"declined", "n\n", []string{"jobs", "pause", "check_item_mercari_tc"}, cli.ExitFail,
			[]string{"Go ahead? [y/N] not confirmed; nothing was done"}, []string{"実行しますか? [y/N] 確認されませんでした。何もしていません"}},
		{"read-only", "", []string{"--readonly", "--yes", "jobs", "pause", "check_item_mercari_tc"}, cli.ExitFail,
			[]string{"richsops jobs: read-only mode: changes are disabled"}, []string{"richsops jobs: 読み取り専用モード: 変更はできません"}},
		{"resume a job cron does not run", "", []string{"--yes", "jobs", "resume", "check_item_yahoo_tc"}, cli.ExitFail,
			[]string{"richsops jobs: check_item_yahoo_tc: no crontab line runs this job"},
			[]string{"richsops jobs: check_item_yahoo_tc: このジョブを実行する crontab の行がありません"}},
	} {
		for _, lang := range []string{"en", "ja"} {
			code, _, errs := runCLI(tc.stdin, append([]string{"--lang", lang}, tc.args...)...)
			want := tc.en
			if lang == "ja" {
				want = tc.ja
			}
			lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			if code != tc.code || len(lines) < len(want) || !slices.EqualFunc(want, lines[len(lines)-len(want):], gatetest.Match) {
				t.Errorf("%s/%s: exit %d, stderr:\n%s\nwant the last lines:\n%s", tc.name, lang, code, errs, strings.Join(want, "\n"))
			}
		}
	}
}

// TestListSaysWhatItCouldNotRead: a listing that could not read a part
// exits 1 and names it; the rows show unknown, never "absent" or 0
// processes: a missing crontab, and a host that refuses the connection.
func TestListSaysWhatItCouldNotRead(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // ssh's shared-connection sockets
	dead := config.HostEntry{Name: "dead", SSH: "root@127.0.0.1",
		Options: []string{"-p", strconv.Itoa(freeport.For(t)), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-F", "/dev/null"}}
	runCLI, tab, _ := setupWith(t, "\n"+sshtest.TOML(dead, ""))
	if code, out, errs := runCLI("", "jobs", "list"); code != 0 || strings.Contains(out, "?") || strings.Contains(out, "unknown") {
		t.Fatalf("all read: exit %d\n%s%s", code, out, errs)
	}
	for _, tc := range []struct {
		name     string
		args     []string
		parts    string // named on stderr
		procsNil bool
	}{
		{"missing crontab", []string{"jobs", "list"}, "could not read crontab ", false},
		{"unreachable host", []string{"--host", "dead", "jobs", "list"}, "could not read processes, crontab, log", true},
	} {
		if tc.name == "missing crontab" {
			os.Rename(tab, tab+".gone")
		} else {
			os.Rename(tab+".gone", tab)
		}
		code, out, errs := runCLI("", tc.args...)
		if code != cli.ExitFail || !strings.Contains(errs, tc.parts) {
			t.Errorf("%s: exit %d, stderr %q; want 1 naming %q", tc.name, code, errs, tc.parts)
		}
		if strings.Contains(out, "absent") || !strings.Contains(out, "unknown") {
			t.Errorf("%s: the table says absent or not unknown:\n%s", tc.name, out)
		}
		if tc.procsNil && regexp.MustCompile(`\s0\s`).MatchString(out) {
			t.Errorf("%s: 0 processes shown for processes not read:\n%s", tc.name, out)
		}
		code, out, _ = runCLI("", append(tc.args, "--json")...)
		var st []jobs.Status
		if err := json.Unmarshal([]byte(out), &st); err != nil || code != cli.ExitFail || len(st) != 4 {
			t.Fatalf("%s --json: exit %d, %v: %s", tc.name, code, err, out)
		}
		if s := st[0]; s.State != crontab.StateUnknown || s.Known(jobs.PartCrontab) || (s.Procs == nil) != tc.procsNil {
			t.Errorf("%s --json: %+v", tc.name, s)
		}
	}
}
