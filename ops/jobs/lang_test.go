package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/gate/gatetest"
	"github.com/richs/richsops/ops/host"
)

// TestJapanese builds each job action with lang = "ja": the human words
// are Japanese, the commands, paths and pids exactly as in English.
func TestJapanese(t *testing.T) {
	cfg := newApp(t)
	cfg.Lang = "ja"
	ctx := context.Background()
	h := host.NewLocal()
	marker := filepath.Join(cfg.App.Dir, "reloaded")
	cfg.Crontab.Reload = []string{"touch", marker}
	tab := "0 3,15 * * * richs cd " + cfg.App.Dir + " && python manage.py " + mercari + " 2 4\n"
	if err := os.WriteFile(cfg.Crontab.Path, []byte(tab), 0o644); err != nil {
		t.Fatal(err)
	}
	spawn(t, cfg.App.Dir, "sh", "manage.py", mercari)
	eventually(t, "listed", func() bool { ps, _ := List(ctx, h, []string{mercari}); return len(ps) == 1 })
	procs, _ := List(ctx, h, []string{mercari})
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
			"実行中のプロセスも停止:", "SIGTERM を送り、最大 1s 待ってから", pid + "（", "開始）: sh manage.py " + mercari,
		}},
		{"kill", func() (gate.Action, error) { return KillAction(ctx, h, cfg, mercari, 0, 2*time.Second) }, []string{
			"SIGTERM を送り、最大 2s 待ってから、残ったものに SIGKILL:", pid,
		}},
		{"run", func() (gate.Action, error) {
			return RunAction(ctx, h, cfg, RunSpec{Job: yahoo, Args: []string{"7"}}, unhealthy)
		}, []string{
			"として " + cfg.App.Dir + " で実行:", "/bin/sh manage.py " + yahoo + " 7", "出力の追記先: " + ylog,
			"独立したセッションで実行: richsops を終了しても動き続けます",
		}},
		{"override", func() (gate.Action, error) {
			return RunAction(ctx, h, cfg, RunSpec{Job: mercari, Force: true, Override: true}, unhealthy)
		}, []string{
			"ガードを無視: index-linux が異常です: pm2 offline", "それでも開始するには OVERRIDE と入力（監査ログに記録）",
			"強制: すでに 1 個が実行中: " + strconv.Itoa(procs[0].PID),
		}},
		{"remote run", func() (gate.Action, error) {
			return remoteRunAction(remoteish{h}, cfg, cfg.Jobs[0], RunSpec{Job: yahoo}, nil, nil, nil), nil
		}, []string{
			"remote-test で、nobody として（ssh が root でログインする場合）" + cfg.App.Dir + " で実行:",
			"setsid で切り離して実行",
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
