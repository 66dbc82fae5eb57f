// Package crontab reads the system crontab (the format with a user field,
// /etc/crontab), finds a job's lines, computes next run times, and pauses or
// resumes a job by commenting out or restoring exactly its lines.
//
// Every byte of a line richsops does not touch is kept as it was: CRLF, tabs,
// a missing final newline, `%` in commands.
package crontab

import (
	"errors"
	"path"
	"slices"
	"strings"

	"github.com/richs/richsops/ops/config"
)

// PausedPrefix marks a line richsops commented out. Only lines with this
// prefix are ever uncommented: a line someone else commented out stays so.
const PausedPrefix = "#richsops-paused# "

// Kind says what a crontab line is.
type Kind int

const (
	Blank     Kind = iota
	Comment        // a comment that is not a cron entry
	Env            // NAME=value
	Entry          // an active cron entry
	Paused         // an entry richsops commented out (PausedPrefix)
	Commented      // an entry someone else commented out ("# 0 3 * * * ...")
	Invalid        // none of the above; cron would complain
)

func (k Kind) String() string {
	return [...]string{"blank", "comment", "env", "entry", "paused", "commented", "invalid"}[k]
}

// Line is one line of the file.
type Line struct {
	Num  int    // 1-based
	Text string // without the final "\n" (a "\r" stays)
	EOL  string // "\n", or "" for a last line without newline
	Kind Kind

	// For Entry, Paused and Commented:
	Schedule Schedule
	User     string
	Command  string // as written, up to the end of the line (without "\r")
}

// File is a parsed crontab. Data is the exact content it was parsed from.
type File struct {
	Data  []byte
	Lines []Line
	// T is the language of the refusals of Pause and Resume, and of Apply
	// for their edits (a Config's T; nil = English). The caller sets it.
	T func(en, ja string) string
}

// Parse never fails: a line it does not understand is Invalid, and kept.
func Parse(data []byte) *File {
	f := &File{Data: data}
	rest := string(data)
	for n := 1; rest != ""; n++ {
		text, eol := rest, ""
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			text, eol, rest = rest[:i], "\n", rest[i+1:]
		} else {
			rest = ""
		}
		f.Lines = append(f.Lines, parseLine(n, text, eol))
	}
	return f
}

func parseLine(n int, text, eol string) Line {
	l := Line{Num: n, Text: text, EOL: eol}
	content := strings.TrimRight(text, "\r")
	trimmed := strings.TrimLeft(content, " \t")
	switch {
	case trimmed == "":
		l.Kind = Blank
	case strings.HasPrefix(content, PausedPrefix):
		l.Kind = Comment
		if parseEntry(&l, content[len(PausedPrefix):]) {
			l.Kind = Paused
		}
	case trimmed[0] == '#':
		l.Kind = Comment
		body := strings.TrimLeft(trimmed[1:], " \t#")
		if parseEntry(&l, body) && l.User != "" {
			l.Kind = Commented
		}
	case parseEntry(&l, content):
		l.Kind = Entry
	case isEnv(trimmed):
		l.Kind = Env
	default:
		l.Kind = Invalid
	}
	return l
}

func isEnv(s string) bool {
	name, _, ok := strings.Cut(s, "=")
	name = strings.TrimRight(name, " \t")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// parseEntry fills schedule, user and command from s; false when s is not
// a system crontab entry.
func parseEntry(l *Line, s string) bool {
	s = strings.TrimLeft(s, " \t")
	nTime := 5
	if strings.HasPrefix(s, "@") {
		nTime = 1
	}
	fields, rest := splitFields(s, nTime+1)
	if len(fields) < nTime+1 || strings.TrimSpace(rest) == "" {
		return false
	}
	sched, err := ParseSchedule(strings.Join(fields[:nTime], " "))
	if err != nil {
		return false
	}
	l.Schedule, l.User, l.Command = sched, fields[nTime], strings.TrimLeft(rest, " \t")
	return true
}

// splitFields takes n blank-separated fields off the front of s and returns
// them with the untouched rest.
func splitFields(s string, n int) ([]string, string) {
	var out []string
	for len(out) < n {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			out, s = append(out, s), ""
			break
		}
		out, s = append(out, s[:i]), s[i:]
	}
	return out, s
}

// RunsJob is true when command runs `manage.py NAME` as the management
// command: NAME exactly (check_item_mercari_v2 is not check_item_mercari),
// right after a manage.py that is the program or a python's script, in a
// command of the line, not in a shell comment, not inside quotes, not as
// another program's argument (`grep -c "manage.py NAME"`, `echo manage.py
// NAME`).
func RunsJob(command, name string) bool {
	for _, argv := range simpleCommands(command) {
		if runsManage(argv, name) {
			return true
		}
	}
	return false
}

// wrappers run the command that follows their own options and arguments.
var wrappers = map[string]bool{"env": true, "exec": true, "nice": true, "nohup": true, "ionice": true, "setsid": true,
	"stdbuf": true, "time": true, "timeout": true, "flock": true, "sudo": true, "chronic": true, "command": true}

// runsManage: argv is [assignments] [wrapper args...]... [python [-opts]]
// manage.py name ...
func runsManage(argv []string, name string) bool {
	i := 0
	for i < len(argv) && isEnv(argv[i]) {
		i++
	}
	for i < len(argv) {
		if j := afterExecWrapper(argv[i:]); j > 0 {
			i += j
			continue
		}
		if !wrappers[path.Base(argv[i])] {
			break
		}
		for i++; i < len(argv) && !isPython(argv[i]) && !isManage(argv[i]); i++ {
		}
	}
	if i < len(argv) && isPython(argv[i]) {
		for i++; i < len(argv) && strings.HasPrefix(argv[i], "-"); i++ {
		}
	}
	return i+1 < len(argv) && isManage(argv[i]) && argv[i+1] == name
}

// afterExecWrapper is how many words of argv are richsops' own waiting
// parent (`richsops [--config F] jobs exec [--trigger T] NAME --`), 0 when
// argv does not start with it: the job line runs what follows the "--".
func afterExecWrapper(argv []string) int {
	if len(argv) < 4 || !strings.HasPrefix(path.Base(argv[0]), "richsops") {
		return 0
	}
	j := slices.Index(argv, "jobs")
	if j < 1 || j+1 >= len(argv) || argv[j+1] != "exec" {
		return 0
	}
	if k := slices.Index(argv[j:], "--"); k > 0 {
		return j + k + 1
	}
	return 0
}

func isManage(w string) bool { return path.Base(w) == "manage.py" }

// isPython: python, python3, python3.11, /opt/venv/bin/python ...
func isPython(w string) bool {
	v, ok := strings.CutPrefix(path.Base(w), "python")
	return ok && strings.Trim(v, "0123456789.") == ""
}

// MatchWords is true when an element ending in "manage.py" is immediately
// followed by name. ops/jobs uses it on process argv.
func MatchWords(argv []string, name string) bool {
	for i := 0; i+1 < len(argv); i++ {
		if strings.HasSuffix(argv[i], "manage.py") && argv[i+1] == name {
			return true
		}
	}
	return false
}

// simpleCommands splits a cron command, up to cron's first unescaped %
// (what follows is the command's stdin), into the argv of each command a
// POSIX shell would run: quotes and backslashes make words as the shell
// does, a # starting a word ends the line, and ; & | ( ) ` and newlines
// separate commands. Redirections just end a word (their target stays as
// a word, after any job name).
func simpleCommands(cmd string) [][]string {
	if i := unescapedPercent(cmd); i >= 0 {
		cmd = cmd[:i]
	}
	var out [][]string
	var cur []string
	var w strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			cur = append(cur, w.String())
			w.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case c == '\\':
			if i+1 < len(cmd) {
				i++
				w.WriteByte(cmd[i])
			}
			inWord = true
		case c == '\'':
			j := strings.IndexByte(cmd[i+1:], '\'')
			if j < 0 {
				j = len(cmd) - i - 1
			}
			w.WriteString(cmd[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			for i++; i < len(cmd) && cmd[i] != '"'; i++ {
				if cmd[i] == '\\' && i+1 < len(cmd) && strings.IndexByte("\"\\$`", cmd[i+1]) >= 0 {
					i++
				}
				w.WriteByte(cmd[i])
			}
			inWord = true
		case c == '#' && !inWord:
			endCmd()
			return out
		case c == ' ' || c == '\t' || c == '\r' || c == '<' || c == '>':
			endWord()
		case strings.IndexByte(";&|()`\n", c) >= 0:
			endCmd()
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return out
}

func unescapedPercent(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '%':
			return i
		}
	}
	return -1
}

// isEntryKind is true for lines that hold a cron entry, active or not.
func (l Line) isEntryKind() bool {
	return l.Kind == Entry || l.Kind == Paused || l.Kind == Commented
}

// JobLines returns the entry lines (active, paused, or commented) that run job.
func (f *File) JobLines(name string) []Line {
	var out []Line
	for _, l := range f.Lines {
		if l.isEntryKind() && RunsJob(l.Command, name) {
			out = append(out, l)
		}
	}
	return out
}

// State is a job's standing in the crontab.
type State string

const (
	StateActive   State = "active"
	StatePaused   State = "paused"   // by richsops
	StateDisabled State = "disabled" // commented out by someone else
	StateMixed    State = "mixed"    // some lines active, some paused
	StateAbsent   State = "absent"
	StateUnknown  State = "unknown" // the crontab could not be read
)

// JobState sums up the job's lines.
func (f *File) JobState(name string) State {
	var active, paused, other int
	for _, l := range f.JobLines(name) {
		switch l.Kind {
		case Entry:
			active++
		case Paused:
			paused++
		case Commented:
			other++
		}
	}
	switch {
	case active > 0 && paused > 0:
		return StateMixed
	case active > 0:
		return StateActive
	case paused > 0:
		return StatePaused
	case other > 0:
		return StateDisabled
	}
	return StateAbsent
}

// Errors of Pause and Resume.
var (
	ErrNoLines       = errors.New("no crontab line runs this job")
	ErrAlreadyPaused = errors.New("already paused by richsops")
	ErrNotPaused     = errors.New("not paused by richsops")
)

// Edit is a planned change: the new content and the lines it changes.
type Edit struct {
	Old, New []byte
	Changed  []Change
	T        func(en, ja string) string // the File's, for Apply's refusal
	// Check, when set, is asked under the lock right before the write;
	// an error refuses it (an interlock resuming only what is still its
	// own: someone may have taken the pause over meanwhile).
	Check func() error
	// redo makes the same edit of another content (Apply, under the lock).
	redo func(*File) (Edit, error)
}

// Change is one line before and after.
type Change struct {
	Num      int
	From, To string
}

// Pause comments out every active line of job with PausedPrefix.
// A job with lines already paused by richsops must be resumed first, so
// that resume always gives back exactly what pause took.
func (f *File) Pause(name string) (Edit, error) {
	switch st := f.JobState(name); st {
	case StateActive:
	case StatePaused:
		return Edit{}, config.Errorf(f.T, "%s: %w", "%[1]s: すでに richsops で停止中です", name, ErrAlreadyPaused)
	case StateMixed:
		return Edit{}, config.Errorf(f.T, "%s: some lines are paused by richsops, some active: resume it first",
			"%s: richsops で停止中の行と有効な行が混在しています: 先に再開してください", name)
	case StateDisabled:
		return Edit{}, config.Errorf(f.T, "%s: its lines are commented out by someone else (not by richsops); nothing to pause",
			"%s: 行は richsops 以外の誰かがコメントアウトしています。停止するものはありません", name)
	default:
		return Edit{}, f.errNoLines(name)
	}
	e, err := f.rewrite(name, Entry, func(t string) string { return PausedPrefix + t })
	e.redo = func(g *File) (Edit, error) { return g.Pause(name) }
	return e, err
}

// Resume removes PausedPrefix from the job's lines that richsops paused.
// Lines commented out by someone else are left as they are.
func (f *File) Resume(name string) (Edit, error) {
	switch st := f.JobState(name); st {
	case StatePaused, StateMixed:
	case StateActive:
		return Edit{}, config.Errorf(f.T, "%s: %w (it is active)", "%[1]s: richsops で停止していません（有効です）", name, ErrNotPaused)
	case StateDisabled:
		return Edit{}, config.Errorf(f.T, "%s: its lines were commented out by someone else, not by richsops: edit %s by hand if it should run",
			"%[1]s: 行は richsops 以外の誰かがコメントアウトしています: 実行するなら crontab を手で編集してください", name, "the crontab")
	default:
		return Edit{}, f.errNoLines(name)
	}
	e, err := f.rewrite(name, Paused, func(t string) string { return strings.TrimPrefix(t, PausedPrefix) })
	e.redo = func(g *File) (Edit, error) { return g.Resume(name) }
	return e, err
}

// errNoLines refuses to pause or resume a job no line runs.
func (f *File) errNoLines(name string) error {
	return config.Errorf(f.T, "%s: %w", "%[1]s: このジョブを実行する crontab の行がありません", name, ErrNoLines)
}

func (f *File) rewrite(name string, kind Kind, change func(string) string) (Edit, error) {
	var b strings.Builder
	b.Grow(len(f.Data) + 64)
	e := Edit{Old: f.Data, T: f.T}
	for _, l := range f.Lines {
		text := l.Text
		if l.Kind == kind && RunsJob(l.Command, name) {
			text = change(text)
			e.Changed = append(e.Changed, Change{Num: l.Num, From: l.Text, To: text})
		}
		b.WriteString(text)
		b.WriteString(l.EOL)
	}
	e.New = []byte(b.String())
	return e, nil
}
