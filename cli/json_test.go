package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
)

type inner struct {
	Mount string
	Free  uint64 `json:"free"`
}

type jsonCase struct {
	inner
	ReadOnly  bool
	DSN       string          `toml:"dsn"`
	HealthURL string          // no tag: snake_case of the name
	Names     []string        `json:"names"`
	Procs     []int           `json:"processes,null"`
	Env       map[string]int  `toml:"env"`
	Elapsed   time.Duration   `json:"elapsed_s"`
	Timeout   config.Duration `toml:"timeout"`
	Skipped   string          `json:"-"`
	Empty     string          `json:"empty,omitempty"`
	When      time.Time       `json:"when,omitzero"`
	Ptr       *inner          `json:"ptr"`
	Err       error           `json:"err"`
	hidden    int
}

func TestJSONRules(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"zero struct", jsonCase{hidden: 1},
			`{"mount":"","free":0,"read_only":false,"dsn":"","health_url":"","names":[],"processes":null,"env":{},"elapsed_s":0,"timeout_s":0,"ptr":null,"err":null}`},
		{"filled", jsonCase{inner: inner{"/", 3}, Names: []string{"a"}, Procs: []int{}, Env: map[string]int{"B": 2, "A": 1},
			Elapsed: 1500 * time.Millisecond, Timeout: config.Duration{Duration: time.Minute}, Empty: "x", Ptr: &inner{Mount: "/m"}, Err: errString("boom")},
			`{"mount":"/","free":3,"read_only":false,"dsn":"","health_url":"","names":["a"],"processes":[],"env":{"A":1,"B":2},"elapsed_s":1.5,"timeout_s":60,"empty":"x","ptr":{"mount":"/m","free":0},"err":"boom"}`},
		{"nil list at the top", []string(nil), `[]`},
		{"time", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), `"2026-12-01T00:00:00Z"`},
		{"duration named by the struct", struct{ Took time.Duration }{2 * time.Second}, `{"took_s":2}`},
	} {
		got, err := json.Marshal(jsonValue(reflect.ValueOf(c.v)))
		if err != nil || !bytes.Equal(got, []byte(c.want)) {
			t.Errorf("%s:\n got %s %v\nwant %s", c.name, got, err, c.want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"ReadOnly": "read_only", "DSN": "dsn", "HealthURL": "health_url", "PID": "pid",
		"DurationMS": "duration_ms", "Added24h": "added24h", "CPU": "cpu", "RSS": "rss", "IndexLinux": "index_linux", "URLPath": "url_path"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
