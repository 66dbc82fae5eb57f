package mysql

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// CnfFile is one option file as read, byte for byte.
type CnfFile struct {
	Path string
	Data []byte
}

// CnfSetting is one `key = value` line of an option file.
type CnfSetting struct {
	File    string `json:"file"`
	Line    int    `json:"line"` // 1-based
	Section string `json:"section"`
	Key     string `json:"key"` // normalised: lower case, '_' for '-', no "loose_"
	Value   string `json:"value"`
}

// Cnf is a my.cnf with everything it includes, in the order the server reads it.
type Cnf struct {
	Files    []CnfFile
	Settings []CnfSetting
	// Missing are !include/!includedir targets that could not be read; the
	// server skips them too, but the operator should know.
	Missing []string
}

// maxIncludeDepth stops include loops that the seen-set does not catch
// (the same file reached through different spellings).
const maxIncludeDepth = 10

// ReadCnf reads path and follows !include and !includedir through h.
func ReadCnf(ctx context.Context, h host.Host, file string) (*Cnf, error) {
	c := &Cnf{}
	seen := map[string]bool{}
	if err := c.read(ctx, h, file, seen, 0); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cnf) read(ctx context.Context, h host.Host, file string, seen map[string]bool, depth int) error {
	file = path.Clean(file)
	if seen[file] || depth > maxIncludeDepth {
		return nil
	}
	seen[file] = true
	data, err := h.ReadFile(ctx, file)
	if err != nil {
		if depth == 0 {
			return err
		}
		c.Missing = append(c.Missing, file+": "+err.Error())
		return nil
	}
	c.Files = append(c.Files, CnfFile{Path: file, Data: data})
	section := ""
	for i, raw := range splitLines(data) {
		line := strings.TrimSpace(string(raw))
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case strings.HasPrefix(line, "!includedir"):
			dir := c.resolve(file, strings.TrimSpace(strings.TrimPrefix(line, "!includedir")))
			entries, err := h.ReadDir(ctx, dir)
			if err != nil {
				c.Missing = append(c.Missing, dir+": "+err.Error())
				continue
			}
			var names []string
			for _, e := range entries {
				if !e.IsDir && strings.HasSuffix(e.Name, ".cnf") {
					names = append(names, e.Name)
				}
			}
			sort.Strings(names) // MariaDB reads them sorted
			for _, n := range names {
				if err := c.read(ctx, h, path.Join(dir, n), seen, depth+1); err != nil {
					return err
				}
			}
		case strings.HasPrefix(line, "!include"):
			inc := c.resolve(file, strings.TrimSpace(strings.TrimPrefix(line, "!include")))
			if err := c.read(ctx, h, inc, seen, depth+1); err != nil {
				return err
			}
		case line[0] == '[':
			if end := strings.IndexByte(line, ']'); end > 0 {
				section = strings.ToLower(strings.TrimSpace(line[1:end]))
			}
		default:
			k, v := splitSetting(line)
			c.Settings = append(c.Settings, CnfSetting{File: file, Line: i + 1, Section: section, Key: k, Value: v})
		}
	}
	return nil
}

func (c *Cnf) resolve(from, p string) string {
	if path.IsAbs(p) {
		return p
	}
	return path.Join(path.Dir(from), p)
}

// splitLines splits after each '\n', keeping the endings.
func splitLines(data []byte) [][]byte {
	if len(data) == 0 {
		return nil
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// splitSetting parses `key = value # comment` into a normalised key and the value.
func splitSetting(line string) (string, string) {
	k, v, _ := strings.Cut(line, "=")
	key := strings.ToLower(strings.TrimSpace(k))
	key = strings.ReplaceAll(key, "-", "_")
	key = strings.TrimPrefix(key, "loose_")
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return key, v[1 : 1+end]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	} else if i := strings.Index(v, "\t#"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return key, v
}

// serverSections are the option groups mysqld/mariadbd read.
func isServerSection(s string) bool {
	switch s {
	case "mysqld", "server", "mariadb", "mariadbd":
		return true
	}
	for _, p := range []string{"mysqld-", "mariadb-", "mariadbd-"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// ServerValue is the last value of key in a server section (the one the
// server uses), or ok=false.
func (c *Cnf) ServerValue(key string) (CnfSetting, bool) {
	var out CnfSetting
	found := false
	for _, s := range c.Settings {
		if s.Key == key && isServerSection(s.Section) {
			out, found = s, true
		}
	}
	return out, found
}

// ExpirySettings are the expiry lines in server sections, in read order.
func (c *Cnf) ExpirySettings() []CnfSetting {
	var out []CnfSetting
	for _, s := range c.Settings {
		if isServerSection(s.Section) && (s.Key == "expire_logs_days" || s.Key == "binlog_expire_logs_seconds") {
			out = append(out, s)
		}
	}
	return out
}

func (c *Cnf) file(p string) *CnfFile {
	for i := range c.Files {
		if c.Files[i].Path == p {
			return &c.Files[i]
		}
	}
	return nil
}

// FileEdit is one planned change of one option file.
type FileEdit struct {
	Path     string
	Old, New []byte
	Changes  []string // human lines: "path:12: expire_logs_days = 10 -> 1"
}

// PlanExpiry plans the my.cnf change that makes the server start with an
// expiry of days: every expiry line of a server section gets the new value
// (so whichever the server reads last agrees); when there is none,
// `expire_logs_days` (or binlog_expire_logs_seconds for a server that only
// knows seconds) is added at the end of the first [mysqld], [mariadb],
// [server] or [mariadbd] section, or a new [mysqld] section is appended.
// Every other byte stays as it was.
func (c *Cnf) PlanExpiry(days int, seconds bool) ([]FileEdit, error) {
	return c.planExpiry(days, seconds, nil)
}

// planExpiry is PlanExpiry with the human lines in t's language (nil = English).
func (c *Cnf) planExpiry(days int, seconds bool, t func(en, ja string) string) ([]FileEdit, error) {
	if days < 0 {
		return nil, fmt.Errorf("expiry days must be 0 or more, not %d", days)
	}
	if len(c.Files) == 0 {
		return nil, fmt.Errorf("no option file read")
	}
	value := func(key string) string {
		if key == "binlog_expire_logs_seconds" {
			return fmt.Sprint(days * 86400)
		}
		return fmt.Sprint(days)
	}
	byFile := map[string][]CnfSetting{}
	var order []string
	for _, s := range c.ExpirySettings() {
		if byFile[s.File] == nil {
			order = append(order, s.File)
		}
		byFile[s.File] = append(byFile[s.File], s)
	}
	var edits []FileEdit
	for _, p := range order {
		f := c.file(p)
		lines := splitLines(f.Data)
		e := FileEdit{Path: p, Old: f.Data}
		for _, s := range byFile[p] {
			old := lines[s.Line-1]
			lines[s.Line-1] = replaceValue(old, value(s.Key))
			e.Changes = append(e.Changes, fmt.Sprintf("%s:%d: %s  →  %s", p, s.Line,
				strings.TrimSpace(string(old)), strings.TrimSpace(string(lines[s.Line-1]))))
		}
		e.New = bytes.Join(lines, nil)
		if !bytes.Equal(e.New, e.Old) {
			edits = append(edits, e)
		}
	}
	if len(order) > 0 {
		return edits, nil
	}
	key := "expire_logs_days"
	if seconds {
		key = "binlog_expire_logs_seconds"
	}
	newLine := key + " = " + value(key)
	for _, want := range []string{"mysqld", "mariadb", "server", "mariadbd"} {
		for _, f := range c.Files {
			if e, ok := insertInSection(f, want, newLine, t); ok {
				return []FileEdit{e}, nil
			}
		}
	}
	f := c.Files[0]
	nl := lineEnding(f.Data)
	data := append([]byte{}, f.Data...)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, nl...)
	}
	data = append(data, []byte(nl+"[mysqld]"+nl+newLine+nl)...)
	return []FileEdit{{Path: f.Path, Old: f.Data, New: data,
		Changes: []string{fmt.Sprintf(config.Tr(t, "%s: append [mysqld] with %s", "%s: 末尾に [mysqld] と %s を追加"), f.Path, newLine)}}}, nil
}

func lineEnding(data []byte) string {
	if bytes.Contains(data, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// insertInSection adds line after the last setting of the first [want]
// section of f (right after its header when it has none).
func insertInSection(f CnfFile, want, line string, t func(en, ja string) string) (FileEdit, bool) {
	lines := splitLines(f.Data)
	at := -1
	in := false
	for i, raw := range lines {
		t := strings.TrimSpace(string(raw))
		if strings.HasPrefix(t, "[") {
			if in {
				break
			}
			if end := strings.IndexByte(t, ']'); end > 0 && strings.ToLower(strings.TrimSpace(t[1:end])) == want {
				in, at = true, i
			}
			continue
		}
		if in && t != "" && t[0] != '#' && t[0] != ';' {
			at = i
		}
	}
	if at < 0 {
		return FileEdit{}, false
	}
	nl := lineEnding(f.Data)
	if !bytes.HasSuffix(lines[at], []byte("\n")) {
		lines[at] = append(append([]byte{}, lines[at]...), nl...)
	}
	out := make([][]byte, 0, len(lines)+1)
	out = append(out, lines[:at+1]...)
	out = append(out, []byte(line+nl))
	out = append(out, lines[at+1:]...)
	return FileEdit{Path: f.Path, Old: f.Data, New: bytes.Join(out, nil),
		Changes: []string{fmt.Sprintf(config.Tr(t, "%s:%d: add %q in [%s]", "%[1]s:%[2]d: [%[4]s] に %[3]q を追加"), f.Path, at+2, line, want)}}, true
}

// replaceValue swaps the value of a `key = value # comment` line, keeping
// the key's spelling, the spacing, any comment and the line ending.
func replaceValue(line []byte, value string) []byte {
	s := string(line)
	body, ending := s, ""
	if strings.HasSuffix(body, "\r\n") {
		body, ending = body[:len(body)-2], "\r\n"
	} else if strings.HasSuffix(body, "\n") {
		body, ending = body[:len(body)-1], "\n"
	}
	eq := strings.IndexByte(body, '=')
	if eq < 0 {
		return []byte(strings.TrimRight(body, " \t") + " = " + value + ending)
	}
	rest := body[eq+1:]
	start := len(rest) - len(strings.TrimLeft(rest, " \t"))
	end := len(rest)
	for _, c := range []string{" #", "\t#"} {
		if i := strings.Index(rest[start:], c); i >= 0 && start+i < end {
			end = start + i
		}
	}
	val := rest[start:end]
	trail := len(val) - len(strings.TrimRight(val, " \t"))
	if start == len(rest) {
		// `key =` with nothing after: keep one space.
		return []byte(body[:eq+1] + rest + " " + value + ending)
	}
	return []byte(body[:eq+1] + rest[:start] + value + rest[end-trail:] + ending)
}
