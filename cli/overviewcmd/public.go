package overviewcmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/public"
	"github.com/richs/richsops/ops/sanitize"
)

func init() {
	cli.Register(cli.Command{
		Name:      "public",
		Summary:   "public folders (images, output, tmp): size, files, growth; clean old tmp files",
		SummaryJa: "公開フォルダ（images、output、tmp）: サイズ、ファイル数、増加量。tmp の古いファイルを削除",
		UsageJa: `richsops public [--json]
    各フォルダのサイズ、ファイル数、増加量（直近 1 日 / 1 週間に更新されたバイト数）
richsops public clean [--older-than DAYS] [--yes] [--json]
    tmp のうち DAYS 日より前に更新されたファイルを削除（既定: public.tmp_max_age）。
    先にファイルとバイト数を表示して確認。監査ログに記録。--readonly では拒否。
    --json は計画（削除するファイル）を表示するだけで、何も削除しません。`,
		Usage: `richsops public [--json]
    size, file count and growth (bytes modified in the last day / week) of each folder
richsops public clean [--older-than DAYS] [--yes] [--json]
    remove files in tmp modified more than DAYS days ago (default: public.tmp_max_age);
    shows the files and bytes first and asks; audited; refused with --readonly.
    --json prints the plan (the files it would remove) and removes nothing.`,
		Run: runPublic,
	})
}

func runPublic(env *cli.Env, args []string) error {
	h, err := env.Host()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if len(args) > 0 && args[0] == "clean" {
		return runClean(ctx, env, args[1:])
	}
	if len(args) > 0 {
		return cli.UsageT(env.Cfg.T, "public: unknown argument %q", "public: %q という引数はありません", args[0])
	}
	folders := public.Scan(ctx, h, env.Cfg.Public, time.Now())
	if env.JSON {
		return env.PrintJSON(folders)
	}
	t := env.Cfg.T
	var tb cli.Table
	tb.Row(strings.Split(t("folder\tsize\tfiles\t+24h\t+7d\tnewest", "フォルダ\tサイズ\tファイル数\t+24時間\t+7日\t最新"), "\t")...)
	failed := false
	for _, f := range folders {
		if f.Err != "" {
			tb.Row(f.Name, t("error: ", "エラー: ")+sanitize.String(f.Err))
			failed = true
			continue
		}
		tb.Row(f.Name, human.Bytes(f.Size), strconv.Itoa(f.Files), human.Bytes(f.Added24h), human.Bytes(f.Added7d), human.AgoT(t, f.Newest, time.Now()))
	}
	if err := tb.Write(env.Stdout); err != nil {
		return err
	}
	if failed {
		return cli.ExitError{Code: cli.ExitFail}
	}
	return nil
}

// parseDays reads "7", "7d" or a Go duration such as "36h".
func parseDays(s string) (time.Duration, error) {
	if d, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64); err == nil && d > 0 {
		return time.Duration(d * float64(24*time.Hour)), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, cli.Usagef("public clean: --older-than wants a number of days > 0, not %q", s)
}

func runClean(ctx context.Context, env *cli.Env, args []string) error {
	age := env.Cfg.Public.TmpMaxAge.Duration
	for i := 0; i < len(args); i++ {
		a := args[i]
		var v string
		switch {
		case a == "--older-than" && i+1 < len(args):
			i++
			v = args[i]
		case strings.HasPrefix(a, "--older-than="):
			v = strings.TrimPrefix(a, "--older-than=")
		default:
			return cli.UsageT(env.Cfg.T, "public clean: unknown argument %q", "public clean: %q という引数はありません", a)
		}
		d, err := parseDays(v)
		if err != nil {
			return err
		}
		age = d
	}
	h, err := env.Host()
	if err != nil {
		return err
	}
	plan, err := public.PlanClean(ctx, h, filepath.Join(env.Cfg.Public.Dir, "tmp"), age, time.Now(), env.Cfg.T)
	if err != nil {
		return err
	}
	if env.JSON {
		return env.PrintJSON(plan)
	}
	if len(plan.Files) == 0 {
		return env.NothingToDo("public.clean", plan.Dir, fmt.Sprintf("nothing in %s is older than %s", plan.Dir, human.Duration(age)),
			fmt.Sprintf("%s に %sより古いものはありません", plan.Dir, human.DurationT(env.Cfg.T, age)))
	}
	_, err = env.Do(plan.Action(h))
	return err
}
