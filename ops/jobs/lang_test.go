package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// TestJapanese builds each job action with lang = "ja": the human words
// are Japanese, the commands, paths and pids exactly as in English.
func TestJapanese(t *testing.T) {
	cfg := newApp(t)
	cfg.Lang = "ja"
	ctx := context.Background()
	h := host.NewLocalEditing(edittest.Dirs(t))
	marker := filepath.Join(cfg.App.Dir, "reloaded")
	cfg.Crontab.Reload = []string{"touch", marker}
	tab := "0 3,15 * * * richs cd " + cfg.App.Dir + " && python manage.py " + mercari + " 2 4\n"
	if err := os.WriteFile(cfg.Crontab.Path, []byte(tab), 0o644); err != nil {
		t.Fatal(err)
	}
	settled(t, spawn(t, cfg.App.Dir, "sh", "manage.py", mercari).Process.Pid)
	eventually(t, "listed", func() bool { ps, _ := List(ctx, h, cfg, []string{mercari}); return len(ps) == 1 })
	procs, _ := List(ctx, h, cfg, []string{mercari})
	pid := "pid " + strconv.Itoa(procs[0].PID)
	unhealthy := func(context.Context) (bool, string) { return false, "pm2 offline" }
	ylog := cfg.JobLogPath(cfg.Jobs[0])

	for _, tc := range []struct {
		name  string
		build func() (gate.Action, error)
		want  []string
	}{
		{"pause", func() (gate.Action, error) { return PauseAction(ctx, h, cfg, mercari, true, time.Second) }, []string{
			cfg.Crontab.Path + " を編集（一時ファイル経由で置換、バックアップあり、途中で変更されていたら中止）:",
			"  1 行目 - 0 3,15 * * * richs cd " + cfg.App.Dir, "  1 行目 + #", "続けて: touch " + marker,
			"実行中のプロセスも停止（実行時にもう一度調べます）:", "SIGTERM を送り、最大 1s 待ってから", pid + "（", "開始）: sh manage.py " + mercari,
		}},
		{"kill", func() (gate.Action, error) { return KillAction(ctx, h, cfg, mercari, 0, 2*time.Second) }, []string{
			"SIGTERM を送り、最大 2s 待ってから、残ったものに SIGKILL:", pid,
		}},
		{"run", func() (gate.Action, error) {
			return RunAction(ctx, h, cfg, RunSpec{Job: yahoo, Args: []string{"7"}}, unhealthy)
		}, []string{
			"local で、nobody として（richsops または ssh のログインが root の場合）" + cfg.App.Dir + " で実行:", "/bin/sh manage.py " + yahoo + " 7", "出力の追記先: " + ylog,
			"独立したセッション（setsid）で実行: richsops を終了しても動き続けます",
		}},
		{"override", func() (gate.Action, error) {
			return RunAction(ctx, h, cfg, RunSpec{Job: mercari, Force: true, Override: true}, unhealthy)
		}, []string{
			"ガードを無視: index-linux が異常です: pm2 offline", "それでも開始するには OVERRIDE と入力（監査ログに記録）",
			"強制: すでに 1 個が実行中: " + strconv.Itoa(procs[0].PID),
		}},
		{"remote run", func() (gate.Action, error) {
			return RunAction(ctx, sshHost(t), cfg, RunSpec{Job: yahoo}, nil)
		}, []string{
			"remote-test で、nobody として（richsops または ssh のログインが root の場合）" + cfg.App.Dir + " で実行:",
			"独立したセッション（setsid）で実行",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { gatetest.PreviewHas(t, tc.build, tc.want...) })
	}

	// The outcome of a pause with kill, and its audit record's identifiers.
	a, err := PauseAction(ctx, h, cfg, mercari, true, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := mercari + " を停止しました（1 行）。" + mercari + ": プロセス 1 個を停止しました"; out.Summary != want {
		t.Errorf("summary %q, want %q", out.Summary, want)
	}
	gatetest.Has(t, "details", out.Details, cfg.Crontab.Path+" を書き込みました（バックアップ ", "リロードしました: touch "+marker, pid+": SIGTERM、")
	if a.Name != "jobs.pause" || a.Target != mercari {
		t.Errorf("audit identifiers changed: %s %s", a.Name, a.Target)
	}
}

// TestRefusals provokes the job refusals with lang = en and ja: English
// byte for byte as before, Japanese with the same job names, pids, paths
// and config keys; ErrRunning, the crontab sentinels and *GuardError keep
// their identity, and what goes through the gate is audited in English.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	h := host.NewLocalEditing(edittest.Dirs(t))
	app := func(t *testing.T, lang string) *config.Config {
		cfg := newApp(t)
		cfg.Lang = lang
		return cfg
	}
	running := newApp(t)
	job := spawn(t, running.App.Dir, "sh", "manage.py", mercari)
	settled(t, job.Process.Pid)
	pid := strconv.Itoa(job.Process.Pid)
	eventually(t, "listed", func() bool { ps, _ := List(ctx, h, running, []string{mercari}); return len(ps) == 1 })
	unhealthy := func(context.Context) (bool, string) { return false, "pm2 offline" }
	run := func(spec RunSpec, guard GuardCheck, edit func(cfg *config.Config)) func(*testing.T, string) error {
		return func(t *testing.T, lang string) error {
			cfg := app(t, lang)
			if edit != nil {
				edit(cfg)
			}
			a, err := RunAction(ctx, h, cfg, spec, guard)
			if err != nil {
				return err
			}
			return gate.New(false, "").Do(ctx, a).Err
		}
	}
	guardRefusal := func(guard GuardCheck) func(*testing.T, string) error {
		return func(t *testing.T, lang string) error {
			err := run(RunSpec{Job: updMerc}, guard, nil)(t, lang)
			if ge := (*GuardError)(nil); !errors.As(err, &ge) {
				t.Errorf("not a *GuardError: %T", err)
			}
			return err
		}
	}
	gatetest.Refusals(t, []gatetest.Refusal{
		{Name: "unknown job", Err: run(RunSpec{Job: "nope"}, nil, nil),
			En: "nope: not a configured job", Ja: "nope: 設定にないジョブです"},
		{Name: "already running", Err: run(RunSpec{Job: mercari}, nil, func(cfg *config.Config) { cfg.App.Dir = running.App.Dir }),
			// "*": the fake job forks for its sleep, a second pid may show for a moment.
			En: mercari + ": already running; a second instance needs force (pids " + pid + "*)",
			Ja: mercari + ": すでに実行中です（pid " + pid + "*）。重複して実行するには force が必要です", Is: ErrRunning},
		{Name: "guard unhealthy", Err: guardRefusal(unhealthy),
			En: updMerc + " refused: index-linux is unhealthy: pm2 offline (an override needs a typed confirmation)",
			Ja: updMerc + " は実行しません: index-linux が異常です: pm2 offline（強制実行には確認の入力が必要です）"},
		{Name: "guard without a check", Err: guardRefusal(nil),
			En: updMerc + " refused: index-linux is unhealthy: no health check is available for it (an override needs a typed confirmation)",
			Ja: updMerc + " は実行しません: index-linux が異常です: ヘルスチェックがありません（強制実行には確認の入力が必要です）"},
		{Name: "guard down at the start", Err: func(t *testing.T, lang string) error {
			check, down := guardServer(t)
			a, err := RunAction(ctx, h, app(t, lang), RunSpec{Job: updMerc}, check)
			must(t, err)
			t.Cleanup(func() { killSessions(ctx, h) }) // if it started all the same
			down()
			return gate.New(false, "").Do(ctx, a).Err
		}, En: updMerc + " refused: index-linux is unhealthy: * (an override needs a typed confirmation)",
			Ja: updMerc + " は実行しません: index-linux が異常です: *（強制実行には確認の入力が必要です）"},
		{Name: "python not in PATH", Err: run(RunSpec{Job: updYahoo}, nil, func(cfg *config.Config) { cfg.App.Python = "no-such-python" }),
			En: `"no-such-python" not found in PATH *; give its full path`,
			Ja: `"no-such-python" が PATH * にありません。フルパスを指定してください`},
		{Name: "app folder gone", Err: run(RunSpec{Job: updYahoo}, nil, func(cfg *config.Config) { cfg.App.Dir += "/gone" }),
			En: "app folder */gone: not a folder (lstat */gone/.: no such file or directory)",
			Ja: "アプリのフォルダ */gone: フォルダではありません（lstat */gone/.: no such file or directory）"},
		{Name: "kill another pid", Err: func(t *testing.T, lang string) error {
			_, err := KillAction(ctx, h, app(t, lang), mercari, 1, time.Second)
			return err
		}, En: "pid 1 is not a running process of " + mercari, Ja: "pid 1 は " + mercari + " の実行中のプロセスではありません"},
		{Name: "kill a stopped job", Err: func(t *testing.T, lang string) error {
			_, err := KillAction(ctx, h, app(t, lang), updYahoo, 0, time.Second)
			return err
		}, En: updYahoo + ": no running process", Ja: updYahoo + ": 実行中のプロセスはありません"},
		{Name: "never killable", Err: func(t *testing.T, lang string) error {
			_, refused := Killable(h, app(t, lang), []Proc{{Process: host.Process{PID: 1}, Job: yahoo}, {Process: host.Process{PID: os.Getpid()}, Job: yahoo}, {Process: host.Process{PID: 99999}, Job: "unknown"}})
			return errors.New(strings.Join(refused, "; "))
		}, En: "pid 1: never signalled; pid " + strconv.Itoa(os.Getpid()) + ": richsops itself; pid 99999: not a configured job",
			Ja: "pid 1: シグナルは送りません; pid " + strconv.Itoa(os.Getpid()) + ": richsops 自身です; pid 99999: 設定にないジョブです"},
		{Name: "resume an active job", Err: func(t *testing.T, lang string) error {
			cfg := app(t, lang)
			must(t, os.WriteFile(cfg.Crontab.Path, []byte("0 3 * * * richs python manage.py "+mercari+"\n"), 0o644))
			_, err := ResumeAction(ctx, h, cfg, mercari)
			return err
		}, En: mercari + ": not paused by richsops (it is active)", Ja: mercari + ": richsops で停止していません（有効です）", Is: crontab.ErrNotPaused},
		{Name: "reload fails", Err: func(t *testing.T, lang string) error {
			cfg := app(t, lang)
			cfg.Crontab.Reload = []string{"false"}
			must(t, os.WriteFile(cfg.Crontab.Path, []byte("0 3 * * * richs python manage.py "+mercari+"\n"), 0o644))
			a, err := PauseAction(ctx, h, cfg, mercari, false, 0)
			must(t, err)
			return gate.New(false, "").Do(ctx, a).Err
		}, En: "crontab written, but reload failed: *", Ja: "crontab は書き込みましたが、リロードに失敗しました: *"},
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
