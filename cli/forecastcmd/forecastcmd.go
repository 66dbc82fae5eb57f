// Package forecastcmd is `richsops forecast`: when each disk will be full
// at the rate the watch service's samples show, for people, scripts and a
// Zabbix UserParameter.
package forecastcmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
)

const usage = `richsops forecast [--json] [--zabbix DISK]

Per disk (root, datadir, public): free bytes, the fill rate over the last
hour and the last 24 h (least squares of the watch service's samples, after
the last time space was freed), the hours until full at the last hour's
rate and the level (ok, warn under [forecast] warn_hours, crit under
crit_hours; cleared only above clear_warn_hours / clear_crit_hours).
A changed level is recorded in the history database, as check does.
--json          hours_until_full is null when the disk is not filling or the
                rate is unknown (too few samples)
--zabbix DISK   print one number, the hours until DISK is full at the last
                hour's rate, -1 when not filling or unknown; exit 0
                (for a Zabbix UserParameter)`

const usageJa = `richsops forecast [--json] [--zabbix DISK]

ディスクごと（root、datadir、public）に、空き容量、直近 1 時間と 24 時間の増加
ペース（watch サービスのサンプルの最小二乗。最後に空きが増えた後から）、直近
1 時間のペースで満杯になるまでの時間とレベル（[forecast] warn_hours 未満で warn、
crit_hours 未満で crit。clear_warn_hours / clear_crit_hours を超えるまで解除しない）
を表示します。レベルが変わると check と同じく履歴データベースに記録します。
--json          増加していない、またはサンプル不足で分からないとき
                hours_until_full は null
--zabbix DISK   DISK が直近 1 時間のペースで満杯になるまでの時間を 1 つの数値で
                表示。増加していない・分からないときは -1。終了コードは 0
                （Zabbix の UserParameter 用）`

func init() {
	cli.Register(cli.Command{Name: "forecast", Summary: "disk full in N hours, per disk, from the recorded samples", Usage: usage,
		SummaryJa: "記録したサンプルから、ディスクごとに満杯までの時間を予測", UsageJa: usageJa, Run: run})
}

// Output is the --json shape.
type Output struct {
	At    time.Time          `json:"at"`
	Disks []forecast.Summary `json:"disks"`
	// RecordError says why a changed level could not be recorded.
	RecordError string `json:"record_error,omitempty"`
	// Note says why there is nothing to forecast (no history database
	// yet), as check says nothing then: not a failure, the watch service
	// is optional.
	Note string `json:"note,omitempty"`
}

func run(env *cli.Env, args []string) error {
	t := env.Cfg.T
	zabbix := ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--zabbix":
			if i+1 >= len(args) {
				return cli.UsageT(t, "--zabbix needs a disk (%s)", "--zabbix にはディスク名が必要です（%s）", strings.Join(forecast.Disks(), ", "))
			}
			i++
			zabbix = args[i]
		case strings.HasPrefix(a, "--zabbix="):
			zabbix = strings.TrimPrefix(a, "--zabbix=")
		default:
			return cli.UsageT(t, "unexpected argument %q", "%q という引数は使えません", a)
		}
		if !slices.Contains(forecast.Disks(), zabbix) {
			return cli.UsageT(t, "--zabbix: unknown disk %q (%s)", "--zabbix: %q というディスクはありません（%s）", zabbix, strings.Join(forecast.Disks(), ", "))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now()
	res, err := forecast.Judge(ctx, env.Cfg, now, "forecast")
	if zabbix != "" {
		// Zabbix wants a value: no database, no samples, an error are all
		// "unknown", -1 (the error goes to stderr for the agent's log).
		v := -1.0
		if err == nil {
			if f, ok := res.Disk(zabbix); ok {
				v = f.ZabbixHours(now)
			}
		} else if !errors.Is(err, history.ErrNoDatabase) {
			fmt.Fprintln(env.Stderr, sanitize.String(err.Error()))
		}
		fmt.Fprintln(env.Stdout, ZabbixValue(v))
		return nil
	}
	out := Output{At: now, Disks: []forecast.Summary{}, RecordError: res.RecordErr}
	switch {
	case errors.Is(err, history.ErrNoDatabase):
		out.Note = fmt.Sprintf(t("no history database (%s): start `richsops watch` (contrib/richsops-watch.service)",
			"履歴データベースなし（%s）: `richsops watch` を起動してください（contrib/richsops-watch.service）"), sanitize.String(env.Cfg.History.Path))
	case err != nil:
		return err
	}
	for _, f := range res.Forecasts {
		out.Disks = append(out.Disks, f.Summary(t, now))
	}
	if env.JSON {
		return env.PrintJSON(out)
	}
	printTable(env, t, out)
	return nil
}

// ZabbixValue is -1, or the hours with two decimals.
func ZabbixValue(v float64) string {
	if v < 0 {
		return "-1"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func printTable(env *cli.Env, t func(en, ja string) string, out Output) {
	if out.Note != "" {
		fmt.Fprintln(env.Stdout, out.Note)
		return
	}
	if len(out.Disks) == 0 {
		fmt.Fprintln(env.Stdout, t("no samples in the last day: is `richsops watch` running?", "直近 1 日のサンプルがありません: `richsops watch` は動いていますか?"))
		return
	}
	var tb cli.Table
	tb.Row(strings.Split(t("DISK\tHOST\tPATH\tFREE\t1 H\t24 H\tFULL IN\tLEVEL", "ディスク\tホスト\tパス\t空き\t1 時間\t24 時間\t満杯まで\tレベル"), "\t")...)
	for _, s := range out.Disks {
		full := "-"
		if s.HoursUntilFull != nil {
			full = forecast.FmtHours(t, *s.HoursUntilFull)
		}
		tb.Row(s.Disk, sanitize.String(s.Host), sanitize.String(s.Path), human.Bytes(s.FreeBytes),
			rate(s.Rate1h), rate(s.Rate24h), full, strings.ToUpper(s.Level))
	}
	tb.Write(env.Stdout)
	for _, s := range out.Disks {
		fmt.Fprintln(env.Stdout, sanitize.String(s.Text))
	}
	if out.RecordError != "" {
		fmt.Fprintln(env.Stdout, config.Tr(t, "level not recorded: ", "レベルを記録できません: ")+sanitize.String(out.RecordError))
	}
}

// rate is "-" when unknown.
func rate(r *float64) string {
	if r == nil {
		return "-"
	}
	return forecast.PerHour(*r)
}
