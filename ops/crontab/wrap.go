package crontab

import (
	"regexp"
	"strings"

	"github.com/richs/richsops/ops/config"
)

// WrapText is what Wrap inserts before a job's command: the waiting parent
// that records the run (`richsops jobs exec NAME -- python manage.py ...`).
func WrapText(self, name string) string { return self + " jobs exec " + name + " -- " }

// wrapped finds a WrapText of name in a line (any path of richsops).
func wrapped(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s;&|(])([^\s;&|(]*richsops jobs exec ` + regexp.QuoteMeta(name) + ` -- )`)
}

// Wrap puts the waiting parent before the job's command in each of its
// lines (active or paused by richsops), so that its runs are recorded with
// their exit code. Only the inserted text changes; Unwrap takes exactly it
// out again, and pause and resume still find the lines (the job's manage.py
// words stay). A line whose command cannot be wrapped safely is refused.
func (f *File) Wrap(self, name string) (Edit, error) {
	re := wrapped(name)
	ins := WrapText(self, name)
	return f.editJob(name, func(l Line) (string, bool, error) {
		if re.MatchString(l.Text) {
			return l.Text, false, nil
		}
		at, ok := wrapPoint(l, name)
		if !ok {
			return "", false, config.Errorf(f.T, "line %d: the command is not a plain `python manage.py %s ...` (a quote, a shell word or no manage.py before it): wrap it by hand",
				"%d 行目: コマンドが単純な `python manage.py %s ...` ではありません（引用符やシェルの語があります）: 手で書き換えてください", l.Num, name)
		}
		return l.Text[:at] + ins + l.Text[at:], true, nil
	})
}

// Unwrap takes Wrap's text out of the job's lines.
func (f *File) Unwrap(name string) (Edit, error) {
	re := wrapped(name)
	return f.editJob(name, func(l Line) (string, bool, error) {
		m := re.FindStringSubmatchIndex(l.Text)
		if m == nil {
			return l.Text, false, nil
		}
		return l.Text[:m[2]] + l.Text[m[3]:], true, nil
	})
}

// editJob rewrites the job's active and paused lines with change; an edit
// that changes nothing is refused as such.
func (f *File) editJob(name string, change func(Line) (string, bool, error)) (Edit, error) {
	if len(f.JobLines(name)) == 0 {
		return Edit{}, f.errNoLines(name)
	}
	var b strings.Builder
	e := Edit{Old: f.Data, T: f.T}
	for _, l := range f.Lines {
		text := l.Text
		if (l.Kind == Entry || l.Kind == Paused) && RunsJob(l.Command, name) {
			t, changed, err := change(l)
			if err != nil {
				return Edit{}, err
			}
			if changed {
				e.Changed = append(e.Changed, Change{Num: l.Num, From: l.Text, To: t})
				text = t
			}
		}
		b.WriteString(text)
		b.WriteString(l.EOL)
	}
	if len(e.Changed) == 0 {
		return Edit{}, config.Errorf(f.T, "%s: nothing to change (already as asked)", "%s: 変更するものはありません（すでにその状態です）", name)
	}
	e.New = []byte(b.String())
	return e, nil
}

var envAssign = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=\S*$`)

// wrapPoint is where in l.Text the wrapper goes: the start of the shell
// command that runs manage.py NAME (after a `cd ... &&` and after leading
// VAR=value words). ok is false when that is not plain: a quote or a
// shell construct in front of it, or a shell builtin as its first word.
func wrapPoint(l Line, name string) (int, bool) {
	cmdAt := len(strings.TrimSuffix(l.Text, "\r")) - len(l.Command)
	if cmdAt < 0 || !strings.HasSuffix(strings.TrimSuffix(l.Text, "\r"), l.Command) {
		return 0, false
	}
	cmd := l.Command
	// The manage.py word followed by the job's name.
	mp := -1
	for _, m := range regexp.MustCompile(`\S*manage\.py\s+`+regexp.QuoteMeta(name)+`(\s|$)`).FindAllStringIndex(cmd, -1) {
		mp = m[0]
		break
	}
	if mp < 0 {
		return 0, false
	}
	start := strings.LastIndexAny(cmd[:mp], ";&|(") + 1
	seg := cmd[start:mp]
	if strings.ContainsAny(seg, "'\"`$\\{}") {
		return 0, false
	}
	pos := start
	for _, w := range strings.Fields(seg) {
		if !envAssign.MatchString(w) {
			break
		}
		pos = start + strings.Index(cmd[start:], w) + len(w)
		start = pos
	}
	for pos < len(cmd) && (cmd[pos] == ' ' || cmd[pos] == '\t') {
		pos++
	}
	first := strings.Fields(cmd[pos:])
	if len(first) == 0 {
		return 0, false
	}
	switch first[0] {
	case "exec", "eval", ".", "source", "if", "then", "do", "!", "time":
		return 0, false
	}
	return cmdAt + pos, true
}
