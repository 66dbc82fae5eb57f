package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
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
// and validates. On any mistake it returns the config so far and Problems.
func Load(path string) (*Config, error) {
	c := &Config{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, Problems{{File: path, Msg: err.Error()}}
		}
		if probs := decode(path, data, c); len(probs) > 0 {
			return nil, probs
		}
		c.Path = path
	}
	c.applyDefaults()
	if probs := c.Validate(); len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

// Parse is Load on bytes, for tests and the demo.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{}
	if probs := decode(name, data, c); len(probs) > 0 {
		return nil, probs
	}
	c.Path = name
	c.applyDefaults()
	if probs := c.Validate(); len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

func decode(path string, data []byte, c *Config) Problems {
	lines, perr := keyLines(data)
	if perr != nil {
		return Problems{*perr}
	}
	c.lines = lines
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(c)
	if err == nil {
		return nil
	}
	var probs Problems
	var strict *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &strict):
		for _, e := range strict.Errors {
			row, _ := e.Position()
			probs = append(probs, Problem{File: path, Line: row, Key: strings.Join(e.Key(), "."), Msg: "unknown key"})
		}
	case errors.As(err, &de):
		row, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		probs = append(probs, Problem{File: path, Line: row, Key: key, Msg: strings.TrimPrefix(de.Error(), "toml: ")})
	default:
		probs = append(probs, Problem{File: path, Msg: err.Error()})
	}
	for i := range probs {
		probs[i].File = path
	}
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
