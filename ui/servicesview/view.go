package servicesview

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/services"
	"github.com/richs/richsops/ui/common"
)

func (t *Tab) stateWord(s services.State) string {
	st := t.d.Styles
	switch s {
	case services.Up:
		return st.OK.Render(t.d.T("up", "稼働"))
	case services.Degraded:
		return st.Warn.Render(t.d.T("degraded", "不調"))
	case services.Down:
		return st.Crit.Render(t.d.T("down", "停止"))
	}
	return st.Warn.Render(t.d.T("unknown", "不明"))
}

// columns of the service table, in cells.
const (
	colName  = 16
	colKind  = 8
	colState = 12
	colSince = 11
	colPID   = 7
	colRest  = 8
	colMem   = 9
)

func (t *Tab) View() string {
	s := t.d.Styles
	var lines []string
	head := s.Title.Render(t.d.T("Services", "サービス"))
	status := t.d.T("loading…", "読み込み中…")
	if t.loaded {
		status = t.d.T("checked ", "確認 ") + t.snap.At.Format("15:04:05")
		if t.loading {
			status += " ⟳"
		}
	}
	lines = append(lines, spread(head, s.Muted.Render(status), t.width))

	probes := t.probeLines()
	detail := append(t.askLines(), t.detailLines()...)
	room := t.height - len(lines) - len(probes) - len(detail) - 2
	if room < 4 {
		room = 4
	}
	lines = append(lines, t.serviceTable(room)...)
	lines = append(lines, "")
	lines = append(lines, probes...)
	lines = append(lines, "")
	lines = append(lines, detail...)
	for i, l := range lines {
		lines[i] = common.Cut(l, t.width)
	}
	if len(lines) > t.height && t.height > 0 {
		lines = lines[:t.height]
	}
	return strings.Join(lines, "\n")
}

func spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		gap = 1
	}
	return left + strings.Repeat(" ", gap) + right
}

// serviceTable is the header and the rows that fit in room lines, scrolled
// so the selection shows.
func (t *Tab) serviceTable(room int) []string {
	s := t.d.Styles
	t.tbl.Columns = []common.Column{
		{Title: t.d.T("SERVICE", "サービス"), Width: colName},
		{Title: t.d.T("KIND", "種類"), Width: colKind},
		{Title: t.d.T("STATE", "状態"), Width: colState},
		{Title: t.d.T("SINCE", "いつから"), Width: colSince},
		{Title: "PID", Width: colPID},
		{Title: t.d.T("RESTARTS", "再起動"), Width: colRest},
		{Title: t.d.T("MEMORY", "メモリ"), Width: colMem},
	}
	var rows [][]string
	if !t.loaded {
		for _, c := range t.d.Cfg.Services {
			rows = append(rows, []string{onHost(c.Name, c.Host), c.Kind, s.Muted.Render("…")})
		}
		return t.tbl.Lines(s, rows, -1, t.width, room)
	}
	for _, st := range t.snap.Services {
		state := t.stateWord(st.State)
		if verb, ok := t.running[st.Name]; ok {
			state = s.Info.Render(t.spin.View() + verb)
		}
		since, pid, rest, mem := "-", "-", "-", "-"
		if !st.Since.IsZero() {
			since = human.AgoT(t.d.T, st.Since, t.d.Now())
		}
		if st.PID > 0 {
			pid = strconv.Itoa(st.PID)
		}
		if st.Kind == services.KindPM2 && st.State != services.Unknown && st.Detail != services.NotInPM2List {
			rest = strconv.Itoa(st.Restarts)
		}
		if st.Memory > 0 {
			mem = human.Bytes(st.Memory)
		}
		rows = append(rows, []string{onHost(st.Name, st.Host), st.Kind, state, since, pid, rest, mem})
	}
	return t.tbl.Lines(s, rows, t.sel, t.width, room)
}

// probeLines are the HTTP probes and Redis PING.
func (t *Tab) probeLines() []string {
	s := t.d.Styles
	t.probeTbl.Columns = []common.Column{
		{Title: t.d.T("PROBE", "死活確認"), Width: colName},
		{Title: t.d.T("STATE", "状態"), Width: colKind},
		{Title: t.d.T("ANSWER", "応答"), Width: 14},
		{Title: t.d.T("TIME", "時間"), Width: 8},
		{Title: t.d.T("WHERE", "宛先"), Width: 10, Flex: true},
	}
	if !t.loaded {
		return []string{t.probeTbl.Header(s, t.width)}
	}
	slow := t.d.Cfg.Thresholds.ProbeSlowSeconds
	var rows [][]string
	for _, p := range t.snap.Probes {
		rows = append(rows, []string{p.Name, t.probeWord(p.OK, p.Latency.Seconds(), slow), t.probeAnswer(p), human.Duration(p.Latency), s.Muted.Render(p.URL)})
	}
	r := t.snap.Redis
	answer := "PONG"
	if !r.OK {
		answer = t.d.Word(r.Problem, problemJa)
	}
	rows = append(rows, []string{"Redis PING", t.probeWord(r.OK, r.Latency.Seconds(), slow), answer, human.Duration(r.Latency), s.Muted.Render(r.Addr)})
	return t.probeTbl.Lines(s, rows, -1, t.width, len(rows)+1)
}

func (t *Tab) probeWord(ok bool, secs, slow float64) string {
	w := t.stateWord(services.Down)
	switch {
	case ok && slow > 0 && secs > slow:
		w = t.d.Styles.Warn.Render(t.d.T("slow", "遅い"))
	case ok:
		w = t.stateWord(services.Up)
	}
	return w
}

func (t *Tab) probeAnswer(p health.HTTPResult) string {
	if p.Status != 0 {
		return "HTTP " + strconv.Itoa(p.Status)
	}
	return t.d.Word(p.Problem, problemJa)
}

// problemJa are a probe's failure kinds (ops/health Problem) in Japanese;
// dns, tls and redis stay as they are.
var problemJa = map[string]string{
	"timeout":     "タイムアウト",
	"refused":     "接続拒否",
	"unreachable": "到達不可",
	"protocol":    "応答不正",
	"error":       "エラー",
}

// detailLines describe the selected service: what its state word means,
// the env in force of a pm2 app, the last action's verified outcome.
func (t *Tab) detailLines() []string {
	s := t.d.Styles
	st, ok := t.selected()
	if !ok {
		return nil
	}
	var out []string
	line := s.Title.Render(st.Name) + " " + sanitize.String(st.Detail)
	if st.LoadState != "" {
		line += s.Muted.Render(fmt.Sprintf("  load=%s file=%s", st.LoadState, st.UnitFileState))
	}
	if st.CanReload {
		line += s.Muted.Render(t.d.T("  can reload", "  リロード可"))
	}
	out = append(out, " "+line)
	if st.Detail == services.NotInPM2List {
		out = append(out, " "+s.Muted.Render(t.d.T(
			"pm2 keeps one list per user: check the service's pm2 setting (e.g. [\"sudo\", \"-u\", \"hai\", \"pm2\"])",
			"pm2 の一覧はユーザーごとです: サービスの pm2 設定を確認してください (例 [\"sudo\", \"-u\", \"hai\", \"pm2\"])")))
	}
	if len(st.EnvMismatch) > 0 {
		out = append(out, " "+s.Warn.Render(t.d.T("env differs from config: ", "環境変数が設定と違います: ")+sanitize.String(strings.Join(st.EnvMismatch, "; "))))
	} else if len(st.Env) > 0 {
		keys := make([]string, 0, len(st.Env))
		for k := range st.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			keys[i] = k + "=" + st.Env[k]
		}
		out = append(out, " "+s.Muted.Render(t.d.T("env in force: ", "有効な環境変数: ")+sanitize.String(strings.Join(keys, " "))))
	}
	if st.Kind == services.KindPM2 && st.CPU > 0 && t.details {
		out = append(out, " "+s.Muted.Render(fmt.Sprintf("CPU %.1f%%", st.CPU)))
	}
	if o, ok := t.outcome[st.Name]; ok {
		style := s.OK
		if o.err {
			style = s.Crit
		}
		out = append(out, " "+s.Muted.Render(o.at.Format("15:04:05")+" ")+style.Render(sanitize.String(o.text)))
	}
	return out
}

// onHost is a service's name cell: the name, and "@host" when it is not on
// this machine.
func onHost(name, on string) string {
	if host.IsLocalName(on) {
		return name
	}
	return name + "@" + on
}
