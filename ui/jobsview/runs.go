package jobsview

import (
	"errors"
	"fmt"
	"slices"

	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ui/common"
)

// result is how a recorded run ended, in words: ok, FAILED 3, killed,
// running, with a too long/too short judgement after it.
func (t *Tab) result(r history.Judged) string {
	var w string
	switch {
	case r.End.IsZero():
		w = t.d.T("running", "実行中")
	case r.KilledBy != "":
		w = t.d.T("killed", "強制終了")
	case r.ExitCode != nil && *r.ExitCode != 0:
		w = fmt.Sprintf(t.d.T("FAILED %d", "失敗 %d"), *r.ExitCode)
	default:
		w = "ok"
	}
	if slices.Contains(r.Flags, history.FlagTooLong) {
		w += t.d.T(" too long", " 長すぎ")
	}
	if slices.Contains(r.Flags, history.FlagTooShort) {
		w += t.d.T(" too short", " 短すぎ")
	}
	return w
}

// bad: a run the operator should look at.
func bad(r history.Judged) bool {
	for _, f := range []string{history.FlagFailed, history.FlagKilled, history.FlagTooLong, history.FlagTooShort} {
		if slices.Contains(r.Flags, f) {
			return true
		}
	}
	return false
}

// runCell is the LAST RUN column of a recorded run: `ok 2h ago 14m`.
func (t *Tab) runCell(r history.Judged) string {
	w := t.result(r) + " " + human.AgoT(t.d.T, r.Start, t.d.Now())
	if !r.End.IsZero() {
		w += " " + human.DurationT(t.d.T, r.Duration())
	}
	if bad(r) {
		return t.d.Styles.Crit.Render(w)
	}
	return w
}

// histLine says why no recorded runs are shown.
func (t *Tab) histLine() string {
	st := t.d.Styles
	if errors.Is(t.histErr, history.ErrNoDatabase) {
		return st.Muted.Render(common.Cut(fmt.Sprintf(t.d.T("no run history (%s): start `richsops watch` (contrib/richsops-watch.service)",
			"実行履歴なし（%s）: `richsops watch` を起動してください（contrib/richsops-watch.service）"), t.d.Cfg.History.Path), t.w))
	}
	if errors.Is(t.histErr, jobs.ErrNotInstalled) {
		return st.Muted.Render(common.Cut(sanitize.String(t.histErr.Error()), t.w))
	}
	if !host.IsLocalName(t.hostName) { // its text names the host and the history
		return st.Warn.Render(common.Cut(sanitize.String(t.histErr.Error()), t.w))
	}
	return st.Warn.Render(common.Cut(t.d.T("run history: ", "実行履歴: ")+sanitize.String(t.histErr.Error()), t.w))
}

// runsLines are the detail view's recorded runs: the sparkline of their
// durations, the baseline, and one row per run, newest first.
func (t *Tab) runsLines(job string) []string {
	st := t.d.Styles
	lines := []string{st.Title.Render(fmt.Sprintf(t.d.T("Last %d runs", "最近 %d 回の実行"), jobs.HistoryRuns))}
	if t.histErr != nil {
		return append(lines, "  "+t.histLine())
	}
	jr := t.hist[job]
	if len(jr.Runs) == 0 {
		if t.hist == nil {
			return append(lines, st.Muted.Render(t.d.T("  loading…", "  読み込み中…")))
		}
		return append(lines, st.Muted.Render(t.d.T("  none recorded yet", "  記録なし")))
	}
	ds := make([]float64, 0, len(jr.Runs))
	for _, r := range jr.Runs {
		ds = append(ds, r.Duration().Seconds())
	}
	base := t.d.T("  baseline: not enough complete runs", "  基準: 完了した実行が足りません")
	if b := jr.Baseline; b.Runs > 0 {
		base = fmt.Sprintf(t.d.T("  median %s, p90 %s over %d complete runs", "  中央値 %s、p90 %s（完了 %d 回）"),
			human.DurationT(t.d.T, b.Median), human.DurationT(t.d.T, b.P90), b.Runs)
	}
	lines = append(lines, common.Cut("  "+st.Info.Render(common.Sparkline(ds, len(ds), 0))+st.Muted.Render(base), t.w))
	t.runTbl.Columns = []common.Column{
		{Title: t.d.T("START", "開始"), Width: 11},
		{Title: t.d.T("DURATION", "所要"), Width: 8},
		{Title: t.d.T("RESULT", "結果"), Width: 14},
		{Title: t.d.T("TRIGGER", "契機"), Width: 8},
		{Title: t.d.T("WHO", "実行者"), Width: 8},
		{Title: t.d.T("COUNTS", "件数"), Width: 6, Flex: true},
	}
	rows := make([][]string, 0, len(jr.Runs))
	for i := len(jr.Runs) - 1; i >= 0; i-- {
		r := jr.Runs[i]
		dur, res := "-", t.result(r)
		if !r.End.IsZero() {
			dur = human.DurationT(t.d.T, r.Duration())
		}
		if bad(r) {
			res = st.Crit.Render(res)
		}
		who := r.User
		if r.SudoUser != "" {
			who = r.SudoUser
		}
		rows = append(rows, []string{r.Start.Format("01-02 15:04"), dur, res, sanitize.String(r.Trigger), sanitize.String(who), history.CountsText(r.Counts)})
	}
	return append(lines, t.runTbl.Lines(st, rows, -1, t.w, min(len(rows)+1, max(4, t.h/3)))...)
}
