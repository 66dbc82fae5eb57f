package logsview

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sanitize/cells"
	"github.com/richs/richsops/ui/common"
)

// source is what a pane follows: a file on a host, or a command's output.
type source struct {
	Name, Host, Path, Kind string
	Argv                   []string
	Empty                  string // shown before the first line; "" = "(no lines yet)"
}

// filter keeps the lines that match a plain text (case-insensitive for
// ASCII) or a regexp.
type filter struct {
	text string
	re   *regexp.Regexp // nil = plain text
}

func (f *filter) match(s string) bool {
	if f.re != nil {
		return f.re.MatchString(s)
	}
	return indexFold(s, f.text) >= 0
}

// index is where the first match in s is, as byte offsets; a < 0: none.
func (f *filter) index(s string) (a, b int) {
	if f.re != nil {
		if loc := f.re.FindStringIndex(s); loc != nil && loc[1] > loc[0] {
			return loc[0], loc[1]
		}
		return -1, -1
	}
	if i := indexFold(s, f.text); i >= 0 {
		return i, i + len(f.text)
	}
	return -1, -1
}

func (f *filter) String() string {
	if f.re != nil {
		return "/" + f.re.String() + "/"
	}
	return strconv.Quote(f.text)
}

// pane is one followed log: a ring of lines and how they are viewed.
// Positions are sequence numbers of the ring (stable while lines age out).
type pane struct {
	id     int
	src    source
	ring   *logtail.Ring
	queue  *logtail.Queue
	cancel context.CancelFunc
	status *logtail.Status
	short  *logtail.Short // the first lines stopped at the scan limit

	origin    *logtail.Origin // where the oldest line starts, for load more
	originSeq int64           // ring.First() when origin was valid
	loading   bool

	follow  bool  // pinned to the newest line
	newSeen int   // lines that arrived while not following
	cursor  int64 // seq of the current line (when not following)
	top     int64 // seq of the first line shown

	search   string // ASCII-lowercased; "" = none
	filter   *filter
	context  int     // lines of context around filter matches
	view     []int64 // seqs shown when filtering (sorted); nil = all
	viewLast int64   // last seq considered by the filter
	after    int     // context lines still to add after a match

	wrap bool
	w, h int // cells for the whole pane, header included
}

func newPane(id int, src source, capacity int) *pane {
	return &pane{id: id, src: src, ring: logtail.NewRing(capacity), follow: true}
}

// bodyHeight is the rows for lines (below the one-line header).
func (p *pane) bodyHeight() int { return max(p.h-1, 1) }

// count and seqAt walk the lines shown (all, or the filtered ones).
func (p *pane) count() int {
	if p.filter != nil {
		return len(p.view)
	}
	return p.ring.Len()
}

func (p *pane) seqAt(i int) int64 {
	if p.filter != nil {
		return p.view[i]
	}
	return p.ring.First() + int64(i)
}

// indexOf is the position of the first shown line with seq >= s.
func (p *pane) indexOf(s int64) int {
	if p.filter != nil {
		return sort.Search(len(p.view), func(i int) bool { return p.view[i] >= s })
	}
	return min(max(int(s-p.ring.First()), 0), p.ring.Len())
}

// ingest takes a batch from the follower.
func (p *pane) ingest(b logtail.Batch) {
	if b.Status != nil {
		p.status = b.Status
	}
	if b.Short != nil {
		p.short = b.Short
	}
	if b.Origin != nil && p.ring.Len() == 0 {
		p.origin, p.originSeq = b.Origin, p.ring.First()
	}
	if len(b.Lines) == 0 && b.Dropped == 0 {
		return
	}
	p.ring.Push(b.Lines)
	if p.origin != nil && p.ring.First() != p.originSeq {
		p.origin = nil // the oldest lines fell out: the offset no longer fits
	}
	if p.filter != nil {
		p.trimView()
		p.extendView()
	}
	if !p.follow {
		p.newSeen += len(b.Lines) + b.Dropped
	}
	p.clamp()
}

// trimView drops filtered seqs that left the ring.
func (p *pane) trimView() {
	i := sort.Search(len(p.view), func(i int) bool { return p.view[i] >= p.ring.First() })
	if i > 0 {
		p.view = append(p.view[:0], p.view[i:]...)
	}
}

// extendView runs the filter over lines it has not seen yet: O(new lines).
func (p *pane) extendView() {
	start := max(p.viewLast+1, p.ring.First())
	for s := start; s < p.ring.End(); s++ {
		if p.filter.match(p.ring.At(s).Text) {
			from := max(s-int64(p.context), p.ring.First())
			if n := len(p.view); n > 0 {
				from = max(from, p.view[n-1]+1)
			}
			for c := from; c < s; c++ {
				p.view = append(p.view, c)
			}
			p.view = append(p.view, s)
			p.after = p.context
		} else if p.after > 0 {
			p.view = append(p.view, s)
			p.after--
		}
	}
	p.viewLast = p.ring.End() - 1
}

// setFilter applies a filter (nil = none) and rebuilds the view.
func (p *pane) setFilter(f *filter) {
	cur := p.current()
	p.filter, p.view, p.after = f, nil, 0
	p.viewLast = p.ring.First() - 1
	if f != nil {
		p.view = []int64{}
		p.extendView()
	}
	p.moveTo(cur)
}

// current is the seq of the current line: the cursor, or the newest line.
func (p *pane) current() int64 {
	if p.follow || p.count() == 0 {
		if n := p.count(); n > 0 {
			return p.seqAt(n - 1)
		}
		return p.ring.End()
	}
	return p.cursor
}

// moveTo puts the cursor on the shown line at or after seq (paused).
func (p *pane) moveTo(seq int64) {
	if p.follow {
		p.clamp()
		return
	}
	p.cursor = seq
	p.clamp()
}

// pause stops following, keeping the view where it is.
func (p *pane) pause() {
	if p.follow {
		p.cursor = p.current()
		p.follow, p.newSeen = false, 0
	}
}

// resume follows the newest line again.
func (p *pane) resume() {
	p.follow, p.newSeen = true, 0
	p.clamp()
}

// scroll moves the cursor by delta shown lines (pausing).
func (p *pane) scroll(delta int) {
	n := p.count()
	if n == 0 {
		return
	}
	p.pause()
	i := min(max(p.indexOf(p.cursor)+delta, 0), n-1)
	p.cursor = p.seqAt(i)
	p.clamp()
}

// atTop is true when the cursor is on the first line held.
func (p *pane) atTop() bool {
	return !p.follow && p.count() > 0 && p.indexOf(p.cursor) == 0
}

// rows is how many screen rows a line takes.
func (p *pane) rows(seq int64) int {
	if !p.wrap {
		return 1
	}
	return len(cells.Wrap(p.ring.At(seq).String(), p.w))
}

// gapBefore is true when shown line i starts a new group of filter
// matches with their context: a "--" row goes above it, as grep -C does.
func (p *pane) gapBefore(i int) bool {
	return p.filter != nil && p.context > 0 && i > 0 && p.view[i] != p.view[i-1]+1
}

// rowsAt is the screen rows of shown line i, its group separator included.
func (p *pane) rowsAt(i int) int {
	r := p.rows(p.seqAt(i))
	if p.gapBefore(i) {
		r++
	}
	return r
}

// clamp keeps the cursor on a shown line and in view, and places top.
func (p *pane) clamp() {
	n := p.count()
	if n == 0 {
		p.top = p.ring.End()
		return
	}
	last := n - 1
	ci := last
	if !p.follow {
		ci = min(p.indexOf(p.cursor), last)
		p.cursor = p.seqAt(ci)
	}
	ti := min(p.indexOf(p.top), last)
	if p.follow || ci < ti || p.rowsBetween(ti, ci) > p.bodyHeight() {
		if !p.follow && ci < ti {
			ti = ci // scrolling up: the current line goes on top
		} else {
			ti = p.fillUp(ci, p.rowsAt(ci)) // the current line at the bottom
		}
	}
	// No blank rows under the last line while earlier lines would fill
	// them (a filter applied while paused leaves the cursor on its last
	// match: show the matches above it too).
	if used := p.rowsBetween(ti, last); used < p.bodyHeight() {
		ti = p.fillUp(ti, used)
	}
	p.top = p.seqAt(ti)
}

// fillUp walks up from shown line ti, which with the lines below it takes
// used rows, while the lines above still fit the body.
func (p *pane) fillUp(ti, used int) int {
	for ti > 0 {
		r := p.rowsAt(ti - 1)
		if used+r > p.bodyHeight() {
			break
		}
		ti, used = ti-1, used+r
	}
	return ti
}

// rowsBetween counts rows from shown line a to b inclusive, stopping once
// past the body height.
func (p *pane) rowsBetween(a, b int) int {
	rows := 0
	for i := a; i <= b && rows <= p.bodyHeight(); i++ {
		rows += p.rowsAt(i)
	}
	return rows
}

// find moves to the next (dir 1) or previous (dir -1) shown line after the
// current one for which ok is true. It reports whether it found one.
func (p *pane) find(dir int, ok func(string) bool) bool {
	n := p.count()
	if n == 0 {
		return false
	}
	i := p.indexOf(p.current())
	for j := i + dir; j >= 0 && j < n; j += dir {
		if ok(p.ring.At(p.seqAt(j)).Text) {
			p.jump(j)
			return true
		}
	}
	return false
}

// jump pauses on shown line i.
func (p *pane) jump(i int) {
	p.pause()
	p.cursor = p.seqAt(i)
	p.clamp()
}

// startsRecord is whether shown line i begins a log record. The first
// shown line, and the first after a gap of the filter, begin one too:
// the start of their record is not shown.
func (p *pane) startsRecord(i int) bool {
	if i == 0 || (p.filter != nil && p.view[i] != p.view[i-1]+1) {
		return true
	}
	return recordStart(p.src.Kind, p.ring.At(p.seqAt(i)).Text)
}

// recordIsError says whether the record starting at shown line i is an
// error (its first line is, or it holds a traceback), and where the next
// record starts.
func (p *pane) recordIsError(i int) (bool, int) {
	isErr := lineLevel(p.src.Kind, p.ring.At(p.seqAt(i)).Text) == levelError
	j := i + 1
	for ; j < p.count() && !p.startsRecord(j); j++ {
		isErr = isErr || isTraceback(p.ring.At(p.seqAt(j)).Text)
	}
	return isErr, j
}

// findError moves to the first line of the next (dir 1) or previous (dir
// -1) error record: one stop per record, its traceback included.
func (p *pane) findError(dir int) bool {
	n := p.count()
	if n == 0 {
		return false
	}
	i := p.indexOf(p.current())
	if dir > 0 {
		for j := i + 1; j < n; {
			if !p.startsRecord(j) {
				j++
				continue
			}
			isErr, next := p.recordIsError(j)
			if isErr {
				p.jump(j)
				return true
			}
			j = next
		}
		return false
	}
	for j := min(i, n) - 1; j >= 0; j-- {
		if p.startsRecord(j) {
			if isErr, _ := p.recordIsError(j); isErr {
				p.jump(j)
				return true
			}
		}
	}
	return false
}

// shownText is every shown line as text (what save writes).
func (p *pane) shownText() []string {
	out := make([]string, 0, p.count())
	for i := 0; i < p.count(); i++ {
		if p.gapBefore(i) {
			out = append(out, groupSep)
		}
		out = append(out, p.ring.At(p.seqAt(i)).String())
	}
	return out
}

// groupSep is the row between groups of filter matches with context.
const groupSep = "--"

// header is the pane's title line.
func (p *pane) header(st *common.Styles, t func(en, ja string) string, focused bool) string {
	parts := []string{p.src.Name}
	if p.src.Host != "" {
		parts[0] = p.src.Host + ":" + p.src.Name
	}
	if s := p.status; s != nil && s.State != logtail.Following {
		parts = append(parts, stateLabel(t, s))
	}
	if s := p.short; s != nil {
		parts = append(parts, fmt.Sprintf(t("only %d of %d lines in the last %d MiB", "末尾 %[3]d MiB 内に %[1]d/%[2]d 行のみ"), s.Found, s.Wanted, logtail.ScanLimit>>20))
	}
	if !p.follow {
		label := t("PAUSED", "一時停止")
		if p.newSeen > 0 {
			label += " +" + strconv.Itoa(p.newSeen) + t(" new lines", " 行の新着")
		}
		parts = append(parts, label)
	}
	if p.filter != nil {
		f := t("filter ", "絞込 ") + p.filter.String()
		if p.context > 0 {
			f += " ±" + strconv.Itoa(p.context)
		}
		parts = append(parts, f)
	}
	if p.search != "" {
		parts = append(parts, "/"+p.search)
	}
	if p.wrap {
		parts = append(parts, t("wrap", "折返し"))
	}
	text := cells.Pad(" "+strings.Join(parts, " · "), p.w)
	if focused {
		return st.Selected.Render(text)
	}
	return st.Header.Render(text)
}

func stateLabel(t func(en, ja string) string, s *logtail.Status) string {
	switch s.State {
	case logtail.Missing:
		return t("no such file, waiting", "ファイルなし・待機中")
	case logtail.Denied:
		return t("permission denied, retrying", "権限なし・再試行中")
	case logtail.Rotated:
		return t("rotated", "ローテート済")
	case logtail.Truncated:
		return t("truncated", "切り詰め検出")
	case logtail.Removed:
		return t("removed, waiting for new file", "削除・新ファイル待ち")
	case logtail.Ended:
		if s.Err != nil {
			return t("ended: ", "終了: ") + sanitize.String(s.Err.Error())
		}
		return t("ended", "終了")
	}
	return ""
}

// render draws the pane in exactly w x h cells.
func (p *pane) render(k *inks, st *common.Styles, t func(en, ja string) string, focused bool) string {
	return strings.Join(p.screen(k, st, t, focused), "\n")
}

// screen is the pane's h rows of exactly w cells each.
func (p *pane) screen(k *inks, st *common.Styles, t func(en, ja string) string, focused bool) []string {
	out := make([]string, 0, p.h)
	out = append(out, p.header(st, t, focused))
	body := p.bodyHeight()
	n := p.count()
	cur := int64(-1 << 62)
	if !p.follow {
		cur = p.cursor
	}
	dimContext := p.filter != nil && p.context > 0
	for i := p.indexOf(p.top); i < n && len(out)-1 < body; i++ {
		if p.gapBefore(i) {
			out = append(out, k.dim.paint(cells.Pad(groupSep, p.w)))
			if len(out)-1 >= body {
				break
			}
		}
		s := p.seqAt(i)
		line := p.ring.At(s)
		style := &k.levels[lineLevel(p.src.Kind, line.Text)]
		if dimContext && !p.filter.match(line.Text) {
			style = &k.dim
		}
		if s == cur {
			style = &k.selected
		}
		if p.wrap {
			for _, seg := range cells.Wrap(line.String(), p.w) {
				if len(out)-1 >= body {
					break
				}
				out = append(out, p.paint(seg, cells.Width(seg), style, &k.match))
			}
			continue
		}
		seg, w := p.fit(line.String())
		out = append(out, p.paint(seg, w, style, &k.match))
	}
	switch {
	case n == 0 && p.filter != nil && p.ring.Len() > 0:
		out = append(out, st.Muted.Render(cells.Cut(fmt.Sprintf(t(" no line matches %s", " %s に一致する行なし"), p.filter), p.w)))
	case n == 0:
		empty := t(" (no lines yet)", " (まだ行がありません)")
		if p.src.Empty != "" {
			empty = " (" + sanitize.String(p.src.Empty) + ")"
		}
		out = append(out, st.Muted.Render(cells.Pad(empty, p.w)))
	}
	blank := strings.Repeat(" ", p.w)
	for len(out) < p.h {
		out = append(out, blank)
	}
	return out
}

// fit is a line cut to the pane width with "…" where it goes on. When
// the filter's (or else the search's) match lies past the cut, the row
// starts a little before the match instead, behind a "…".
func (p *pane) fit(text string) (string, int) {
	seg, w := cutRow(text, p.w)
	if len(seg) >= len(text) || p.w < 8 {
		return seg, w
	}
	a, b := -1, -1
	switch {
	case p.filter != nil:
		a, b = p.filter.index(text)
	case p.search != "":
		if a = indexFold(text, p.search); a >= 0 {
			b = a + len(p.search)
		}
	}
	if a < 0 || b <= len(seg)-len("…") {
		return seg, w // no match, or it is already in view
	}
	// A few cells of what comes before the match, so it reads in context.
	from, lead := a, 0
	for from > 0 && lead < p.w/4 {
		_, size := utf8.DecodeLastRuneInString(text[:from])
		lead += cells.Width(text[from-size : from])
		from -= size
	}
	seg, w = cutRow(text[from:], p.w-1)
	return "…" + seg, w + 1
}

// cutRow cuts text to w cells, the last one "…" when it goes on: one pass
// over the row, not a cut and then another.
func cutRow(text string, w int) (string, int) {
	seg, sw := cells.CutWidth(text, w-1)
	if len(seg) < len(text) {
		if rest, rw := cells.CutWidth(text[len(seg):], w-sw); len(seg)+len(rest) == len(text) {
			return text, sw + rw
		}
		return seg + "…", sw + 1
	}
	return seg, sw
}

// paint styles one row of w cells, padded to the pane width, with search
// matches highlighted.
func (p *pane) paint(seg string, w int, style, match *ink) string {
	pad := strings.Repeat(" ", max(p.w-w, 0))
	if p.search == "" {
		return style.paint(seg + pad)
	}
	var b strings.Builder
	rest := seg
	for {
		i := indexFold(rest, p.search)
		if i < 0 {
			break
		}
		j := i + len(p.search)
		b.WriteString(style.paint(rest[:i]))
		b.WriteString(match.paint(rest[i:j]))
		rest = rest[j:]
	}
	b.WriteString(style.paint(rest + pad))
	return b.String()
}

// asciiLower lowercases ASCII letters only, so byte offsets stay the same.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 32
				}
			}
			return string(b)
		}
	}
	return s
}

// indexFold finds sub (already ASCII-lowercased) in s ignoring ASCII case.
func indexFold(s, sub string) int {
	if sub == "" {
		return -1
	}
	return strings.Index(asciiLower(s), sub)
}
