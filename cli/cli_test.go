package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
)

func TestSplitGlobalsAnywhere(t *testing.T) {
	cases := []struct {
		args []string
		want Globals
		rest string
	}{
		{[]string{"--config", "a.toml", "jobs", "list"}, Globals{Config: "a.toml"}, "jobs list"},
		{[]string{"jobs", "list", "--config=a.toml", "--readonly"}, Globals{Config: "a.toml", ReadOnly: true}, "jobs list"},
		{[]string{"jobs", "--json", "list", "--host", "db1", "-y"}, Globals{JSON: true, Host: "db1", Yes: true}, "jobs list"},
		{[]string{"tail", "-n", "5", "--", "--config"}, Globals{}, "tail -n 5 -- --config"},
	}
	for _, tc := range cases {
		g, rest, err := SplitGlobals(tc.args)
		if err != nil || g != tc.want || strings.Join(rest, " ") != tc.rest {
			t.Errorf("%v: got %+v %v %v", tc.args, g, rest, err)
		}
	}
	if _, _, err := SplitGlobals([]string{"--config"}); err == nil {
		t.Error("--config without value accepted")
	}
}

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// needsconfig stands for any command that loads the config.
func init() {
	Register(Command{Name: "needsconfig", Run: func(*Env, []string) error { return nil }})
}

func TestConfigCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("lang = \"en\"\n[app]\ncolour = 1\n"), 0o644)
	code, _, errs := run(t, "", "config", "check", "--config", bad)
	if code != 2 || !strings.Contains(errs, bad+":3: app.colour: unknown key") {
		t.Fatalf("code %d stderr %q", code, errs)
	}
	// Any other command refuses to start on the same config, with the same message.
	code, _, errs = run(t, "", "--config", bad, "needsconfig")
	if code != 2 || !strings.Contains(errs, bad+":3: app.colour: unknown key") {
		t.Fatalf("needsconfig: code %d stderr %q", code, errs)
	}
	code, out, _ := run(t, "", "config", "check", "--config", "../config.example.toml")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("example: %d %q", code, out)
	}
}

func TestVersionHelpAndUnknown(t *testing.T) {
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "richsops ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := run(t, "", "--help"); code != 0 || !strings.Contains(out, "Global flags") {
		t.Errorf("help: %d", code)
	}
	if code, _, errs := run(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown: %d %q", code, errs)
	}
}

func newTestEnv(t *testing.T, readOnly, yes bool, stdin string) (*Env, string, *bytes.Buffer) {
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	var out bytes.Buffer
	env := &Env{
		Globals: Globals{Yes: yes},
		Gate:    gate.New(readOnly, audit),
		Stdin:   strings.NewReader(stdin),
		Stdout:  &out,
		Stderr:  &out,
	}
	return env, audit, &out
}

func TestDoAsksAndAudits(t *testing.T) {
	ran := 0
	act := gate.Action{Name: "jobs.pause", Target: "check_item_mercari", Preview: []string{"comment out line 12 of /etc/crontab"}, Run: func(context.Context) (gate.Outcome, error) {
		ran++
		return gate.Outcome{Summary: "paused"}, nil
	}}
	env, audit, out := newTestEnv(t, false, false, "n\n")
	if _, err := env.Do(act); err != ErrDeclined || ran != 0 {
		t.Fatalf("declined: %v ran=%d", err, ran)
	}
	if !strings.Contains(out.String(), "comment out line 12") {
		t.Errorf("preview not shown: %q", out.String())
	}
	env, audit, out = newTestEnv(t, false, false, "y\n")
	if _, err := env.Do(act); err != nil || ran != 1 || !strings.Contains(out.String(), "paused") {
		t.Fatalf("yes: %v ran=%d %q", err, ran, out.String())
	}
	recs, _ := gate.ReadAudit(audit)
	if len(recs) != 2 {
		t.Errorf("audit: %+v", recs)
	}
	env, _, _ = newTestEnv(t, false, true, "")
	if _, err := env.Do(act); err != nil || ran != 2 {
		t.Fatalf("--yes: %v", err)
	}
	// Read-only: refused even with --yes, audited.
	env, audit, _ = newTestEnv(t, true, true, "y\n")
	if _, err := env.Do(act); err != gate.ErrReadOnly || ran != 2 {
		t.Fatalf("read-only: %v ran=%d", err, ran)
	}
	recs, _ = gate.ReadAudit(audit)
	if len(recs) != 1 || recs[0].Outcome != "refused" {
		t.Errorf("read-only audit: %+v", recs)
	}
	// A typed confirmation is not covered by --yes.
	danger := act
	danger.Danger = "OVERRIDE"
	env, _, _ = newTestEnv(t, false, true, "")
	if _, err := env.Do(danger); err == nil || ran != 2 {
		t.Fatalf("danger with --yes ran: %v", err)
	}
	env, _, _ = newTestEnv(t, false, false, "OVERRIDE\n")
	if _, err := env.Do(danger); err != nil || ran != 3 {
		t.Fatalf("typed: %v", err)
	}
}

// With lang = ja the questions and results of Do are in Japanese; the
// command shown and the word to type stay as they are.
func TestDoSpeaksTheConfiguredLanguage(t *testing.T) {
	act := gate.Action{Name: "svc.restart", Target: "nginx", Host: "web1", Argv: []string{"systemctl", "restart", "nginx"},
		Run: func(context.Context) (gate.Outcome, error) { return gate.Outcome{}, errors.New("boom") }}
	for _, tc := range []struct {
		lang, stdin string
		danger      string
		want        []string
	}{
		{"en", "y\n", "", []string{"svc.restart nginx on web1", "runs: systemctl restart nginx", "Go ahead? [y/N]", "failed: boom"}},
		{"ja", "y\n", "", []string{"svc.restart nginx（ホスト web1）", "実行: systemctl restart nginx", "実行しますか? [y/N]", "失敗: boom"}},
		{"ja", "RESTART\n", "RESTART", []string{`実行するには "RESTART" と入力: `, "失敗: boom"}},
	} {
		env, _, out := newTestEnv(t, false, false, tc.stdin)
		env.Cfg = &config.Config{Lang: tc.lang}
		a := act
		a.Danger = tc.danger
		env.Do(a)
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: %q not in %q", tc.lang, w, out.String())
			}
		}
	}
}

// A Japanese header lines up with its rows: widths in cells, not runes.
func TestTableCells(t *testing.T) {
	var tb Table
	tb.Row("ジョブ", "状態", "前回")
	tb.Row("check_item_yahoo", "active", "4分前")
	tb.Row()
	var b bytes.Buffer
	tb.Write(&b)
	want := "ジョブ            状態    前回\ncheck_item_yahoo  active  4分前\n\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// With --json an action's result is one JSON value on stdout, whether it
// ran, failed or was declined; the question stays on stderr.
func TestDoJSON(t *testing.T) {
	act := gate.Action{Name: "jobs.pause", Target: "check_item_mercari", Run: func(context.Context) (gate.Outcome, error) {
		return gate.Outcome{Summary: "paused", Details: []string{"step 1: ok"}}, nil
	}}
	for _, c := range []struct {
		stdin string
		want  string
	}{
		{"y\n", `"ok": true,
  "summary": "paused",
  "details": [
    "step 1: ok"
  ],`},
		{"n\n", `"ok": false,
  "summary": "",
  "details": [],
  "error": "not confirmed; nothing was done",`},
	} {
		audit := filepath.Join(t.TempDir(), "audit.jsonl")
		var out, errb bytes.Buffer
		env := &Env{Globals: Globals{JSON: true}, Gate: gate.New(false, audit), Stdin: strings.NewReader(c.stdin), Stdout: &out, Stderr: &errb}
		env.Do(act)
		if !strings.Contains(out.String(), c.want) || !strings.Contains(errb.String(), "Go ahead?") {
			t.Errorf("stdin %q: stdout\n%s\nstderr\n%s", c.stdin, out.String(), errb.String())
		}
	}
}
