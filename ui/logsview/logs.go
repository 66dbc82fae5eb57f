// Package logsview is the Logs tab: up to six live log panes side by side,
// stacked or in a grid, with pause, search, filter, ERROR jumps, level
// colours, save and copy. Lines come from ops/logtail in batches: one
// re-arming tea.Cmd collects what every pane's follower gathered, at most
// 20 times a second, so a busy log costs one redraw per frame, not per line.
package logsview

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/richs/richsops/ops/host"
	"regexp"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sanitize/cells"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/common/lineinput"
)

const (
	maxPanes = 6
	// frame is the shortest gap between two line batches: 20 frames/s.
	frame = 50 * time.Millisecond
	// hiddenFrame is the gap while the tab is not shown: lines still go
	// into the rings (nothing is lost), with fewer wake-ups.
	hiddenFrame = time.Second
	// loadMoreLines is how many earlier lines one load reads.
	loadMoreLines = 1000
	// minPaneWidth is the narrowest a pane gets side by side: below it,
	// fewer panes share a row and the rest stack.
	minPaneWidth = 60
)

// pumpTimeout re-arms the waiting Cmd now and then: every Cmd ends. A var
// so tests wait less.
var pumpTimeout = time.Minute

type layout int

const (
	layoutColumns layout = iota // side by side
	layoutRows                  // stacked
	layoutGrid                  // two columns
)

// prompt is what the text input at the bottom is asking for.
type prompt int

const (
	promptNone prompt = iota
	promptSearch
	promptFilter
	promptFilterRe
	promptSave
)

// Model is the Logs tab.
type Model struct {
	d       *common.Deps
	keys    keyMap
	panes   []*pane
	focus   int
	layout  layout
	zoom    bool
	picker  bool
	pick    int
	prompt  prompt
	input   lineinput.Model
	w, h    int
	nextID  int
	active  bool
	visited bool // the tab was shown once: the [logview] open panes are up
	notify  chan struct{}
	pumping bool
	gen     int       // pump generation: a replaced pump's batch does not re-arm
	last    time.Time // when the last batch was taken
	msg     string    // one-line note under the panes (errors of prompts)
	inks    *inks     // the panes' styles taken apart, on the first frame
}

// ink is the panes' styles, taken apart on the first frame.
func (m *Model) ink() *inks {
	if m.inks == nil {
		m.inks = newInks(m.d.Styles)
	}
	return m.inks
}

// batchMsg carries every pane's lines gathered since the last one.
type batchMsg struct {
	batches map[int]logtail.Batch
	at      time.Time
	gen     int
}

type loadedMsg struct {
	id     int
	lines  []logtail.Line
	origin logtail.Origin
	err    error
}

// New builds the Logs tab.
func New(d *common.Deps) common.Tab {
	in := lineinput.New()
	in.CharLimit = 512
	return &Model{d: d, keys: newKeys(d), input: in, picker: true, notify: make(chan struct{}, 1)}
}

func (m *Model) Title() string   { return m.d.T("Logs", "ログ") }
func (m *Model) Init() tea.Cmd   { return nil }
func (m *Model) Capturing() bool { return m.prompt != promptNone }

func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layoutPanes()
}

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.picker {
		return []key.Binding{k.PickerToggle, k.Picker}
	}
	return []key.Binding{k.Picker, k.Pause, k.Search, k.Filter, k.NextErr, k.Wrap, k.Zoom}
}

func (m *Model) FullHelp() [][]key.Binding {
	return m.d.Keys().HelpColumns(common.TabLogs, common.HelpRows)
}

// capacity and maxLine come from [logview].
func (m *Model) capacity() int { return max(m.d.Cfg.LogView.BufferLines, 1) }
func (m *Model) maxLine() int  { return m.d.Cfg.LogView.MaxLineBytes }

func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		m.active = msg.Active
		if msg.Active && !m.visited {
			m.visited = true
			return m, m.openDefaults()
		}
		return m, nil
	case batchMsg:
		for _, p := range m.panes {
			if b, ok := msg.batches[p.id]; ok {
				p.ingest(b)
			}
		}
		if msg.gen != m.gen {
			// A replaced pump took the wake-up the current one waits
			// for: pass it on, in case a newer pane has lines.
			select {
			case m.notify <- struct{}{}:
			default:
			}
			return m, nil
		}
		m.pumping = false
		m.last = msg.at
		return m, m.pump()
	case loadedMsg:
		return m, m.loaded(msg)
	case common.OpenLogMsg:
		return m, m.open(source{Name: msg.Name, Host: msg.Host, Path: msg.Path, Argv: msg.Argv, Kind: msg.Kind, Empty: msg.Empty})
	case saveDoneMsg:
		if msg.err != nil {
			return m, common.Toast(m.d.T("save failed: ", "保存失敗: ")+msg.err.Error(), true)
		}
		return m, common.Toast(fmt.Sprintf(m.d.T("saved %d lines to %s", "%d 行を %s に保存"), msg.n, msg.path), false)
	case tea.BackgroundColorMsg:
		m.inks = nil // the styles changed: taken apart again on the next frame
		return m, nil
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		if p := m.focused(); p != nil && !m.picker {
			switch msg.Button {
			case tea.MouseWheelUp:
				if p.atTop() {
					cmd = m.loadMore(p)
				} else {
					p.scroll(-3)
				}
			case tea.MouseWheelDown:
				p.scroll(3)
			}
			m.layoutPanes()
		}
		return m, cmd
	case tea.KeyPressMsg:
		var cmd tea.Cmd
		switch {
		case m.prompt != promptNone:
			cmd = m.promptKey(msg)
		case m.picker:
			cmd = m.pickerKey(msg)
		default:
			cmd = m.key(msg)
		}
		m.layoutPanes() // the note line under the panes may have come or gone
		return m, cmd
	}
	return m, nil
}

func (m *Model) focused() *pane {
	if m.focus < len(m.panes) {
		return m.panes[m.focus]
	}
	return nil
}

// openDefaults opens the [logview] open logs, on the first visit: the
// picker stays only when none is listed.
func (m *Model) openDefaults() tea.Cmd {
	var cmds []tea.Cmd
	for _, name := range m.d.Cfg.LogView.Open {
		for _, l := range m.configured() {
			if l.Name == name {
				cmds = append(cmds, m.open(logSource(l)))
			}
		}
	}
	if len(m.panes) > 0 {
		m.focus = 0
	}
	return tea.Batch(cmds...)
}

func logSource(l config.Log) source {
	return source{Name: l.Name, Host: l.Host, Path: l.Path, Kind: l.Kind}
}

// known is src as the [[logs]] entry of the same file when there is one
// (Jobs' l names the pane after the job): one pane per file, under the
// name the picker shows.
func (m *Model) known(src source) source {
	if len(src.Argv) > 0 || src.Path == "" {
		return src
	}
	for _, l := range m.configured() {
		if !sameHost(l.Host, src.Host) {
			continue
		}
		if ok, _ := filepath.Match(l.Path, src.Path); ok || l.Path == src.Path {
			return logSource(l)
		}
	}
	return src
}

func sameHost(a, b string) bool { return host.NameOf(a) == host.NameOf(b) }

// same is whether two sources are one pane: the same name, or the same
// file, on the same host.
func same(a, b source) bool {
	if !sameHost(a.Host, b.Host) {
		return false
	}
	return a.Name == b.Name || len(a.Argv) == 0 && len(b.Argv) == 0 && a.Path != "" && a.Path == b.Path
}

// open starts a pane, or focuses the one of that log: the follower runs
// in a goroutine started from a Cmd and hands lines to the pane's queue.
func (m *Model) open(src source) tea.Cmd {
	src = m.known(src)
	for i, p := range m.panes {
		if same(p.src, src) {
			m.focus, m.picker = i, false
			return nil
		}
	}
	if len(m.panes) >= maxPanes {
		return common.Toast(fmt.Sprintf(m.d.T("at most %d panes: close one with %s", "ペインは最大 %d: %s で閉じてください"), maxPanes, m.keys.Close.Help().Key), true)
	}
	if src.Kind == "" {
		src.Kind = "plain"
	}
	m.nextID++
	p := newPane(m.nextID, src, m.capacity())
	p.queue = logtail.NewQueue(m.capacity(), m.notify)
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	m.panes = append(m.panes, p)
	m.focus, m.picker = len(m.panes)-1, false
	m.layoutPanes()
	start := m.starter(ctx, p)
	m.pumping = false // the waiting pump lacks this pane's queue: replace it
	return tea.Batch(start, m.pump())
}

// starter is the Cmd that starts the follower of p.
func (m *Model) starter(ctx context.Context, p *pane) tea.Cmd {
	src, q := p.src, p.queue
	lines, maxLine := m.d.Cfg.LogView.InitialLines, m.maxLine()
	hosts := m.d.Hosts
	return func() tea.Msg {
		go func() {
			fail := func(err error) {
				q.Emit(logtail.Batch{Status: &logtail.Status{State: logtail.Ended, Path: src.Name, Err: err}})
			}
			if hosts == nil {
				fail(fmt.Errorf("no host registry"))
				return
			}
			h, err := hosts.Get(src.Host)
			if err != nil {
				fail(err)
				return
			}
			err = logtail.Tail(ctx, h, logtail.Source{Path: src.Path, Argv: src.Argv, Label: src.Name, Lines: lines, MaxLine: maxLine, Follow: true}, q)
			if err != nil && ctx.Err() == nil {
				fail(err) // a read error: say so in the pane header (a command says its own end)
			}
		}()
		return nil
	}
}

// pump is the one Cmd that waits for lines of any pane and returns them all
// in one message, no sooner than a frame after the previous one.
func (m *Model) pump() tea.Cmd {
	if m.pumping || len(m.panes) == 0 {
		return nil
	}
	m.pumping = true
	m.gen++
	gen := m.gen
	queues := make(map[int]*logtail.Queue, len(m.panes))
	for _, p := range m.panes {
		queues[p.id] = p.queue
	}
	gap := frame
	if !m.active {
		gap = hiddenFrame
	}
	notify, last := m.notify, m.last
	return func() tea.Msg {
		take := func() map[int]logtail.Batch {
			out := map[int]logtail.Batch{}
			for id, q := range queues {
				if b, ok := q.Take(); ok {
					out[id] = b
				}
			}
			return out
		}
		if wait := time.Until(last.Add(gap)); wait > 0 {
			time.Sleep(wait)
		}
		if got := take(); len(got) > 0 {
			return batchMsg{batches: got, at: time.Now(), gen: gen}
		}
		select {
		case <-notify:
		case <-time.After(pumpTimeout):
		}
		time.Sleep(frame / 5) // let a burst gather
		return batchMsg{batches: take(), at: time.Now(), gen: gen}
	}
}

func (m *Model) closePane(i int) {
	m.panes[i].cancel()
	m.panes = append(m.panes[:i], m.panes[i+1:]...)
	if m.focus >= len(m.panes) {
		m.focus = max(len(m.panes)-1, 0)
	}
	if len(m.panes) == 0 {
		m.zoom, m.picker = false, true
	}
	m.layoutPanes()
}

// layoutPanes gives each pane its cells. Side by side panes are separated
// by one column.
func (m *Model) layoutPanes() {
	h := m.h
	if m.prompt != promptNone || m.msg != "" {
		h-- // the prompt line
	}
	if m.prompt != promptNone && m.msg != "" {
		h-- // the prompt's error under it
	}
	h = max(h, 2)
	if m.zoom {
		if p := m.focused(); p != nil {
			p.w, p.h = max(m.w, 1), h
			p.clamp()
		}
		return
	}
	n := len(m.panes)
	if n == 0 {
		return
	}
	cols := m.columns()
	rows := (n + cols - 1) / cols
	for i, p := range m.panes {
		c, r := i%cols, i/cols
		inRow := min(cols, n-r*cols) // a short last row uses the full width
		p.w = share(m.w-(inRow-1), inRow, c)
		p.h = share(h, rows, r)
		p.clamp()
	}
}

// columns is how many panes sit side by side: no more than leaves each
// minPaneWidth cells (a narrower pane shows little past the timestamps).
func (m *Model) columns() int {
	fit := max(m.w/minPaneWidth, 1)
	switch m.layout {
	case layoutRows:
		return 1
	case layoutGrid:
		return max(min(2, len(m.panes), fit), 1)
	}
	return max(min(len(m.panes), fit), 1)
}

// share splits total into n parts, the first ones one bigger.
func share(total, n, i int) int {
	base := total / n
	if i < total%n {
		base++
	}
	return max(base, 1)
}

func (m *Model) View() string {
	if m.w == 0 {
		return ""
	}
	var body string
	switch {
	case m.picker:
		body = m.pickerView()
	case m.zoom && m.focused() != nil:
		body = m.focused().render(m.ink(), m.d.Styles, m.d.T, true)
	default:
		body = m.panesView()
	}
	if m.prompt != promptNone {
		body += "\n" + m.input.View()
	}
	if m.msg != "" {
		body += "\n" + m.d.Styles.Crit.Render(cells.Cut(m.msg, m.w))
	}
	return body
}

func (m *Model) panesView() string {
	n, cols := len(m.panes), m.columns()
	sep := m.d.Styles.Muted.Render("│")
	var b strings.Builder
	for start := 0; start < n; start += cols {
		end := min(start+cols, n)
		blocks := make([][]string, 0, end-start)
		height := 0
		for i := start; i < end; i++ {
			lines := m.panes[i].screen(m.ink(), m.d.Styles, m.d.T, i == m.focus)
			blocks = append(blocks, lines)
			height = max(height, len(lines))
		}
		// Side by side, as lipgloss.JoinHorizontal would put them (every
		// row of a pane is exactly its width), without measuring each row
		// again.
		for r := range height {
			if start > 0 || r > 0 {
				b.WriteByte('\n')
			}
			for j, lines := range blocks {
				if j > 0 {
					b.WriteString(sep)
				}
				if r < len(lines) {
					b.WriteString(lines[r])
				} else {
					b.WriteString(strings.Repeat(" ", m.panes[start+j].w))
				}
			}
		}
	}
	return b.String()
}

// configured is the [[logs]] entries.
func (m *Model) configured() []config.Log { return m.d.Cfg.Logs }

// choices is the picker's list: the [[logs]] entries, then the open panes
// of other sources (a job's log, a unit's journal) so that they can be
// closed from there too.
func (m *Model) choices() []source {
	out := make([]source, 0, len(m.configured())+len(m.panes))
	for _, l := range m.configured() {
		out = append(out, logSource(l))
	}
	for _, p := range m.panes {
		if !slices.ContainsFunc(out, func(s source) bool { return same(s, p.src) }) {
			out = append(out, p.src)
		}
	}
	return out
}

func (m *Model) isOpen(src source) int {
	return slices.IndexFunc(m.panes, func(p *pane) bool { return same(p.src, src) })
}

func (m *Model) pickerView() string {
	st := m.d.Styles
	lines := []string{st.Title.Render(m.d.T("Logs: enter opens or closes a pane, o or esc shows the panes", "ログ: enter でペインを開閉、o か esc で表示"))}
	for i, l := range m.choices() {
		mark := "[ ]"
		if m.isOpen(l) >= 0 {
			mark = "[x]"
		}
		where := l.Path
		if len(l.Argv) > 0 {
			where = sanitize.String(strings.Join(l.Argv, " "))
		}
		if l.Host != "" {
			where = l.Host + ":" + where
		}
		row := cells.Pad(fmt.Sprintf(" %s %-20s %s", mark, l.Name, where), m.w)
		if i == m.pick {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	if len(m.choices()) == 0 {
		lines = append(lines, st.Muted.Render(m.d.T("  no [[logs]] in the config", "  設定に [[logs]] がありません")))
	}
	return lipgloss.NewStyle().Height(m.h).MaxHeight(m.h).Render(strings.Join(lines, "\n"))
}

func (m *Model) pickerKey(msg tea.KeyPressMsg) tea.Cmd {
	k, logs := m.keys, m.choices()
	switch {
	case key.Matches(msg, k.Up):
		m.pick = max(m.pick-1, 0)
	case key.Matches(msg, k.Down):
		m.pick = min(m.pick+1, max(len(logs)-1, 0))
	case key.Matches(msg, k.PickerToggle):
		if m.pick >= len(logs) {
			return nil
		}
		l := logs[m.pick]
		if i := m.isOpen(l); i >= 0 {
			m.closePane(i)
			m.picker = true
			m.pick = min(m.pick, max(len(m.choices())-1, 0)) // a closed extra leaves the list
			return nil
		}
		cmd := m.open(l)
		m.picker = true
		return cmd
	case key.Matches(msg, k.Picker), key.Matches(msg, k.Clear):
		if len(m.panes) > 0 {
			m.picker = false
		}
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	m.msg = ""
	p := m.focused()
	switch {
	case key.Matches(msg, k.Picker):
		m.picker = true
		return nil
	case p == nil:
		return nil
	case key.Matches(msg, k.Close):
		m.closePane(m.focus)
	case key.Matches(msg, k.NextPane):
		m.focus = (m.focus + 1) % len(m.panes)
	case key.Matches(msg, k.PrevPane):
		m.focus = (m.focus - 1 + len(m.panes)) % len(m.panes)
	case key.Matches(msg, k.Layout):
		m.layout = (m.layout + 1) % 3
	case key.Matches(msg, k.Zoom):
		m.zoom = !m.zoom
	case key.Matches(msg, k.Pause):
		if p.follow {
			p.pause()
		} else {
			p.resume()
		}
	case key.Matches(msg, k.Up):
		if p.atTop() {
			return m.loadMore(p)
		}
		p.scroll(-1)
	case key.Matches(msg, k.Down):
		p.scroll(1)
	case key.Matches(msg, k.PgUp):
		if p.atTop() {
			return m.loadMore(p)
		}
		p.scroll(-p.bodyHeight())
	case key.Matches(msg, k.PgDown):
		p.scroll(p.bodyHeight())
	case key.Matches(msg, k.Top):
		wasTop := p.atTop()
		p.scroll(-p.count())
		if wasTop || p.count() < p.bodyHeight() {
			return m.loadMore(p)
		}
	case key.Matches(msg, k.Bottom):
		p.resume()
	case key.Matches(msg, k.Search):
		return m.ask(promptSearch, m.d.T("search: ", "検索: "), "")
	case key.Matches(msg, k.Filter):
		return m.ask(promptFilter, m.d.T("filter: ", "絞込: "), "")
	case key.Matches(msg, k.FilterRe):
		return m.ask(promptFilterRe, m.d.T("filter regexp: ", "絞込(正規表現): "), "")
	case key.Matches(msg, k.Save):
		return m.ask(promptSave, m.d.T("save to: ", "保存先: "), defaultSavePath(p.src.Name, m.d.Now()))
	case key.Matches(msg, k.Next), key.Matches(msg, k.Prev):
		if p.search == "" {
			m.msg = fmt.Sprintf(m.d.T("no search: %s searches", "検索なし: %s で検索"), k.Search.Help().Key)
			return nil
		}
		dir := 1
		if key.Matches(msg, k.Prev) {
			dir = -1
		}
		if !p.find(dir, func(s string) bool { return indexFold(s, p.search) >= 0 }) {
			m.msg = m.d.T("no more matches", "これ以上一致なし")
		}
	case key.Matches(msg, k.NextErr), key.Matches(msg, k.PrevErr):
		dir := 1
		if key.Matches(msg, k.PrevErr) {
			dir = -1
		}
		if !p.findError(dir) {
			m.msg = m.d.T("no more ERROR lines", "これ以上 ERROR なし")
		}
	case key.Matches(msg, k.Context):
		p.context = map[int]int{0: 2, 2: 5}[p.context]
		if p.filter != nil {
			p.setFilter(p.filter)
		}
	case key.Matches(msg, k.Clear):
		p.search = ""
		if p.filter != nil {
			p.setFilter(nil)
		}
	case key.Matches(msg, k.Wrap):
		p.wrap = !p.wrap
		p.clamp()
	case key.Matches(msg, k.Copy):
		if p.count() == 0 {
			return nil
		}
		return copyLine(p.ring.At(p.current()).String(), m.d.T("copied the line (OSC 52)", "行をコピーしました (OSC 52)"))
	}
	return nil
}

func (m *Model) ask(pr prompt, label, value string) tea.Cmd {
	m.prompt, m.msg = pr, ""
	m.input.Prompt = label
	m.input.SetValue(value)
	m.input.CursorEnd()
	return m.input.Focus()
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.Code {
	case tea.KeyEscape:
		m.prompt, m.msg = promptNone, ""
		m.input.Blur()
		return nil
	case tea.KeyEnter:
		m.msg = ""
		cmd, ok := m.apply(m.prompt, m.input.Value())
		if !ok {
			// A bad regexp keeps the prompt open with the text and the
			// error under it: the keys typed next still go to the prompt.
			return cmd
		}
		m.prompt = promptNone
		m.input.Blur()
		return cmd
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// apply acts on an entered prompt; false when the text is refused (the
// reason in m.msg) and the prompt stays.
func (m *Model) apply(pr prompt, text string) (tea.Cmd, bool) {
	p := m.focused()
	if p == nil {
		return nil, true
	}
	switch pr {
	case promptSearch:
		p.search = asciiLower(text)
		if text != "" && !p.find(-1, func(s string) bool { return indexFold(s, p.search) >= 0 }) {
			m.msg = m.d.T("not found", "見つかりません")
		}
	case promptFilter:
		if text == "" {
			p.setFilter(nil)
		} else {
			p.setFilter(&filter{text: asciiLower(text)})
		}
	case promptFilterRe:
		re, err := regexp.Compile(text)
		if err != nil {
			m.msg = m.d.T("bad regexp: ", "正規表現の誤り: ") + err.Error()
			return nil, false
		}
		p.setFilter(&filter{re: re})
	case promptSave:
		if text == "" {
			return nil, true
		}
		return saveLines(m.d, text, p.shownText()), true
	}
	return nil, true
}

// loadMore reads earlier lines of a local file into a pane with room.
func (m *Model) loadMore(p *pane) tea.Cmd {
	room := p.ring.Cap() - p.ring.Len()
	switch {
	case p.loading:
		return nil
	case len(p.src.Argv) > 0 || !host.IsLocalName(p.src.Host):
		m.msg = m.d.T("earlier lines load only for local files", "前の行の読込はローカルファイルのみ")
		return nil
	case p.origin == nil || p.origin.Offset == 0:
		m.msg = m.d.T("no earlier lines to load", "これより前の行はありません")
		return nil
	case room == 0:
		m.msg = m.d.T("the pane holds its maximum (logview.buffer_lines)", "ペインの上限です (logview.buffer_lines)")
		return nil
	}
	p.loading = true
	o, id, n, maxLine := *p.origin, p.id, min(room, loadMoreLines), m.maxLine()
	return func() tea.Msg {
		lines, no, err := logtail.Before(o, n, maxLine)
		return loadedMsg{id: id, lines: lines, origin: no, err: err}
	}
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	for _, p := range m.panes {
		if p.id != msg.id {
			continue
		}
		p.loading = false
		if msg.err != nil {
			p.origin = nil
			return common.Toast(msg.err.Error(), true)
		}
		if p.origin == nil || p.ring.First() != p.originSeq {
			return nil // the pane changed meanwhile
		}
		took := p.ring.PushFront(msg.lines)
		if took == 0 {
			return common.Toast(m.d.T("no earlier lines to load", "これより前の行はありません"), false)
		}
		var cmd tea.Cmd
		if n := human.Count(took); took == 1 {
			cmd = common.Toast(m.d.T("+1 earlier line", "前の 1 行を読込"), false)
		} else {
			cmd = common.Toast(fmt.Sprintf(m.d.T("+%s earlier lines", "前の %s 行を読込"), n), false)
		}
		if took == len(msg.lines) {
			o := msg.origin
			p.origin, p.originSeq = &o, p.ring.First()
		} else {
			p.origin = nil
		}
		p.setFilter(p.filter)
		if !p.follow && p.count() > 0 {
			p.cursor = p.seqAt(min(p.indexOf(p.ring.First()+int64(took)-1), p.count()-1))
			p.clamp()
		}
		return cmd
	}
	return nil
}
