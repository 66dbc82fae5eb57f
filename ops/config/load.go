package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// SystemPath is the last place Locate looks.
const SystemPath = "/etc/richsops/config.toml"

// EnvVar names the config file when --config is not given.
const EnvVar = "RICHSOPS_CONFIG"

// Locate picks the config file: --config, then $RICHSOPS_CONFIG, then
// /etc/richsops/config.toml. It returns "" when none is given and the system
// file does not exist (defaults apply).
func Locate(flag string) string {
	if flag != "" {
		return flag
	}
	if p := os.Getenv(EnvVar); p != "" {
		return p
	}
	if _, err := os.Stat(SystemPath); err == nil {
		return SystemPath
	}
	return ""
}

// Problem is one mistake in a config file.
type Problem struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (p Problem) String() string {
	file := p.File
	if file == "" {
		file = "(defaults)"
	}
	key := p.Key
	if key == "" {
		key = "(file)"
	}
	return fmt.Sprintf("%s:%d: %s: %s", file, p.Line, key, p.Msg)
}

// Problems is every mistake found; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads path (or only defaults when path is ""), applies the defaults
// and validates. On any mistake it returns Problems, every one it found,
// in line order.
func Load(path string) (*Config, error) {
	if path == "" {
		return finish(&Config{}, nil)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Problems{{File: path, Msg: err.Error()}}
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; name is the file name for messages.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{}
	probs := decode(name, data, c)
	if len(probs) == 1 && probs[0].Key == "" {
		return nil, probs // a syntax error: nothing else can be trusted
	}
	c.Path = name
	return finish(c, probs)
}

func finish(c *Config, probs Problems) (*Config, error) {
	c.applyDefaults()
	probs = append(probs, c.Validate()...)
	if len(probs) == 0 {
		return c, nil
	}
	// A problem on a key the file does not contain (line 0) comes from a
	// default derived from a key that is wrong (logs from app.log_dir from
	// app.dir): when the file's own mistakes are listed, it is only noise.
	var own Problems
	for _, p := range probs {
		if p.Line > 0 || p.File == "" {
			own = append(own, p)
		}
	}
	if len(own) > 0 {
		probs = own
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	return c, probs
}

// decode reads data into c and returns every problem it can find: each
// type error (the offending line is blanked and decoding retried, so one
// mistake does not hide the next), unknown keys, and explicitly empty paths.
func decode(path string, data []byte, c *Config) Problems {
	lines, perr := keyLines(data)
	if perr != nil {
		perr.File = path
		return Problems{*perr}
	}
	var probs Problems
	work := append([]byte(nil), data...)
	for tries := 0; tries < 50; tries++ {
		*c = Config{}
		dec := toml.NewDecoder(bytes.NewReader(work))
		dec.DisallowUnknownFields()
		err := dec.Decode(c)
		if err == nil {
			break
		}
		var strict *toml.StrictMissingError
		var de *toml.DecodeError
		if errors.As(err, &strict) {
			for _, e := range strict.Errors {
				row, _ := e.Position()
				probs = append(probs, Problem{File: path, Line: row, Key: strings.Join(e.Key(), "."), Msg: "unknown key"})
			}
			break
		}
		if !errors.As(err, &de) {
			probs = append(probs, Problem{File: path, Msg: err.Error()})
			break
		}
		row, _ := de.Position()
		probs = append(probs, Problem{File: path, Line: row, Key: strings.Join(de.Key(), "."), Msg: friendlyDecodeError(de.Error())})
		if row < 1 || !blankLine(work, row) {
			break
		}
	}
	probs = append(probs, emptyPaths(path, data, lines)...)
	for i, p := range probs {
		probs[i].Key = indexedKey(lines, p.Line, p.Key)
	}
	c.lines = lines
	return probs
}

// indexedKey turns the decoder's "jobs.args" into "jobs[1].args" by the line.
func indexedKey(lines map[string]int, line int, key string) string {
	if line == 0 {
		return key
	}
	last := key[strings.LastIndex(key, ".")+1:]
	for k, l := range lines {
		if l == line && strings.Contains(k, "[") && (k == last || strings.HasSuffix(k, "."+last)) {
			return k
		}
	}
	return key
}

var typeErrRe = sync.OnceValue(func() *regexp.Regexp { // compiled on first use
	return regexp.MustCompile(`cannot decode TOML (\w+) into struct field \S+ of type (\S+)`)
})

func friendlyDecodeError(msg string) string {
	msg = strings.TrimPrefix(msg, "toml: ")
	if m := typeErrRe().FindStringSubmatch(msg); m != nil {
		want := m[2]
		switch {
		case strings.HasPrefix(want, "[]"):
			want = "list"
		case strings.HasPrefix(want, "map["):
			want = "table"
		case strings.Contains(want, "Duration"):
			want = "duration string such as \"3h\""
		}
		return fmt.Sprintf("wrong type: a TOML %s where a %s is expected", m[1], want)
	}
	return msg
}

// blankLine replaces line n (1-based) of b with spaces, keeping offsets.
func blankLine(b []byte, n int) bool {
	line := 1
	for i := 0; i < len(b); i++ {
		if line == n {
			j := i
			for j < len(b) && b[j] != '\n' {
				b[j] = ' '
				j++
			}
			return true
		}
		if b[i] == '\n' {
			line++
		}
	}
	return false
}

// pathKeys are the keys whose value is a path: set to "" they are a mistake,
// not a request for the default.
var pathKeys = map[string]bool{"dir": true, "path": true, "log_dir": true, "datadir": true, "my_cnf": true, "audit_log": true, "state_file": true}

func emptyPaths(path string, data []byte, lines map[string]int) Problems {
	var doc map[string]any
	if toml.Unmarshal(data, &doc) != nil {
		return nil
	}
	var probs Problems
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				key := k
				if prefix != "" {
					key = prefix + "." + k
				}
				if s, ok := x.(string); ok && s == "" && pathKeys[k] {
					probs = append(probs, Problem{File: path, Line: lines[key], Key: key, Msg: "missing path (empty)"})
				}
				walk(key, x)
			}
		case []any:
			for i, x := range t {
				walk(fmt.Sprintf("%s[%d]", prefix, i), x)
			}
		}
	}
	walk("", doc)
	sort.Slice(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	return probs
}

// keyLines maps each dotted key to its line. Array tables get an index:
// the second [[jobs]] table's args is "jobs[1].args".
func keyLines(data []byte) (map[string]int, *Problem) {
	p := unstable.Parser{KeepComments: false}
	p.Reset(data)
	out := map[string]int{}
	counts := map[string]int{}
	table := ""
	lineOf := func(n *unstable.Node) int {
		if n.Raw.Length > 0 || n.Raw.Offset > 0 {
			return p.Shape(n.Raw).Start.Line
		}
		return p.Shape(p.Range(n.Data)).Start.Line
	}
	keyOf := func(n *unstable.Node) (string, int) {
		it := n.Key()
		var parts []string
		line := 0
		for it.Next() {
			k := it.Node()
			if line == 0 {
				line = lineOf(k)
			}
			parts = append(parts, string(k.Data))
		}
		return strings.Join(parts, "."), line
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table:
			k, line := keyOf(e)
			table = k
			out[table] = line
		case unstable.ArrayTable:
			k, line := keyOf(e)
			table = fmt.Sprintf("%s[%d]", k, counts[k])
			counts[k]++
			out[table] = line
			if _, ok := out[k]; !ok {
				out[k] = line
			}
		case unstable.KeyValue:
			k, line := keyOf(e)
			if table != "" {
				k = table + "." + k
			}
			out[k] = line
		}
	}
	if err := p.Error(); err != nil {
		var pe *unstable.ParserError
		line := 0
		if errors.As(err, &pe) && len(pe.Highlight) > 0 {
			line = p.Shape(p.Range(pe.Highlight)).Start.Line
		}
		return nil, &Problem{Line: line, Msg: "syntax: " + err.Error()}
	}
	return out, nil
}

// UnmarshalText reads "90s", "3h", "7d", "1w" or a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back in Go's form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// ParseDuration accepts Go durations plus whole days ("7d") and weeks ("2w").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(s, suffix); ok {
			n, err := strconv.ParseFloat(num, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 3h, 7d)", s)
			}
			return time.Duration(n * float64(unit)), nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 3h, 7d)", s)
	}
	return v, nil
}
