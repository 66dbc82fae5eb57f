package servicesview

import (
	"fmt"
	"github.com/richs/richsops/ops/host"
	"sort"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/services"
)

// fit cuts s to w cells and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

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
	lines = append(lines, s.Header.Render(" "+
		fit(t.d.T("SERVICE", "サービス"), colName)+" "+
		fit(t.d.T("KIND", "種類"), colKind)+" "+
		fit(t.d.T("STATE", "状態"), colState)+" "+
		fit(t.d.T("SINCE", "いつから"), colSince)+" "+
		fit("PID", colPID)+" "+
		fit(t.d.T("RESTARTS", "再起動"), colRest)+" "+
		fit(t.d.T("MEMORY", "メモリ"), colMem)))

	probes := t.probeLines()
	detail := append(t.askLines(), t.detailLines()...)
	room := t.height - len(lines) - len(probes) - len(detail) - 2
	if room < 3 {
		room = 3
	}
	lines = append(lines, t.serviceRows(room)...)
	lines = append(lines, "")
	lines = append(lines, probes...)
	lines = append(lines, "")
	lines = append(lines, detail...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, t.width, "…")
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

// serviceRows are the table rows, scrolled so the selection shows.
func (t *Tab) serviceRows(room int) []string {
	s := t.d.Styles
	svcs := t.snap.Services
	if !t.loaded {
		var out []string
		for _, c := range t.d.Cfg.Services {
			out = append(out, " "+fit(onHost(c.Name, c.Host), colName)+" "+fit(c.Kind, colKind)+" "+s.Muted.Render("…"))
		}
		return out
	}
	first := 0
	if t.sel >= room {
		first = t.sel - room + 1
	}
	var out []string
	for i := first; i < len(svcs) && i < first+room; i++ {
		st := svcs[i]
		name := onHost(st.Name, st.Host)
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
		row := fit(name, colName) + " " + fit(st.Kind, colKind) + " " + fit(state, colState) + " " +
			fit(since, colSince) + " " + fit(pid, colPID) + " " + fit(rest, colRest) + " " + fit(mem, colMem)
		if i == t.sel {
			out = append(out, s.Selected.Render("▸"+row))
		} else {
			out = append(out, " "+row)
		}
	}
	return out
}

// probeLines are the HTTP probes and Redis PING.
func (t *Tab) probeLines() []string {
	s := t.d.Styles
	out := []string{s.Header.Render(" " + t.d.T("PROBES", "死活確認"))}
	if !t.loaded {
		return out
	}
	slow := t.d.Cfg.Thresholds.ProbeSlowSeconds
	for _, p := range t.snap.Probes {
		out = append(out, " "+fit(p.Name, colName)+" "+t.probeWord(p.OK, p.Latency.Seconds(), slow)+" "+fit(t.probeAnswer(p), 14)+" "+fit(human.Duration(p.Latency), 8)+" "+s.Muted.Render(p.URL))
	}
	r := t.snap.Redis
	answer := "PONG"
	if !r.OK {
		answer = t.d.Word(r.Problem, problemJa)
	}
	out = append(out, " "+fit("Redis PING", colName)+" "+t.probeWord(r.OK, r.Latency.Seconds(), slow)+" "+fit(answer, 14)+" "+fit(human.Duration(r.Latency), 8)+" "+s.Muted.Render(r.Addr))
	return out
}

func (t *Tab) probeWord(ok bool, secs, slow float64) string {
	w := t.stateWord(services.Down)
	switch {
	case ok && slow > 0 && secs > slow:
		w = t.d.Styles.Warn.Render(t.d.T("slow", "遅い"))
	case ok:
		w = t.stateWord(services.Up)
	}
	return fit(w, colKind)
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
