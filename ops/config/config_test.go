package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreTheRunbook(t *testing.T) {
	c := Default()
	if probs := c.Validate(); len(probs) > 0 {
		t.Fatalf("defaults invalid: %v", probs)
	}
	if len(c.Jobs) != 4 {
		t.Fatalf("want 4 jobs, got %d", len(c.Jobs))
	}
	for _, j := range c.Jobs {
		if strings.Join(j.Args, " ") != "2 4 --max-workers 14" {
			t.Errorf("%s args %v", j.Name, j.Args)
		}
	}
	m, _ := c.Job("check_item_mercari")
	if m.Guard != "index-linux" || c.JobLogPath(m) != "/var/www/richs/logs/inventory-mercari.log" {
		t.Errorf("mercari job: %+v", m)
	}
	if c.App.User != "richs" || c.Crontab.Path != "/etc/crontab" || strings.Join(c.Crontab.Reload, " ") != "systemctl reload crond" {
		t.Errorf("app/crontab defaults: %+v %+v", c.App, c.Crontab)
	}
	if c.IndexLinux.Env["DEBUG"] != "ibiz:*" || c.IndexLinux.Env["SERVER"] != "srv1" || c.IndexLinux.Env["NODE_ENV"] != "production" {
		t.Errorf("index-linux env %v", c.IndexLinux.Env)
	}
	if c.Database.ExpireDays != 1 || c.Database.DiskFullPercent != 98 {
		t.Errorf("db defaults %+v", c.Database)
	}
	if got := strings.Join(c.LogView.Open, ","); got != "django,inventory-yahoo,inventory-mercari,update-amazon-feed" {
		t.Errorf("logview.open %q: want the four app logs", got)
	}
	if strings.Join(c.Guard.Jobs, ",") != "check_item_mercari" {
		t.Errorf("guard jobs %v", c.Guard.Jobs)
	}
	// nginx -t before nginx's reload or restart; the other units have none.
	for _, s := range c.Services {
		want := ""
		if s.Name == "nginx" {
			want = "nginx -t"
		}
		if got := strings.Join(s.ConfigTest, " "); got != want {
			t.Errorf("%s config_test %q, want %q", s.Name, got, want)
		}
	}
	if c.Amazon.QuietAfter.Duration != time.Hour {
		t.Errorf("amazon.quiet_after %v", c.Amazon.QuietAfter)
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	c, err := Load("../../config.example.toml")
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	if len(c.Hosts) != 1 || c.Hosts[0].SSH != "root@db1.example" {
		t.Errorf("hosts: %+v", c.Hosts)
	}
	if c.Amazon.ClearAfter.Duration != 3*time.Hour || c.Public.TmpMaxAge.Duration != 7*24*time.Hour {
		t.Errorf("durations: %v %v", c.Amazon.ClearAfter, c.Public.TmpMaxAge)
	}
}

func TestProblemsNameFileLineKey(t *testing.T) {
	cases := []struct {
		name string
		toml string
		want []string // each must appear as a line of the error
	}{
		{"unknown key", "lang = \"en\"\n[app]\ncolour = \"red\"\n", []string{"F:3: app.colour: unknown key"}},
		{"wrong type", "lang = \"en\"\nreadonly = \"yes\"\n", []string{"F:2: readonly: wrong type: a TOML string where a bool is expected"}},
		{"bad duration", "lang = \"en\"\n[public]\ntmp_max_age = \"3 weeks\"\n", []string{`F:3: public.tmp_max_age: bad duration "3 weeks"`}},
		{"second job bad duration", "lang = \"en\"\n[[jobs]]\nname = \"a\"\n[[jobs]]\nname = \"b\"\nmax_runtime = \"x\"\n", []string{`F:6: jobs[1].max_runtime: bad duration "x"`}},
		{"empty path", "lang = \"en\"\n[app]\ndir = \"\"\n", []string{"F:3: app.dir: missing path (empty)"}},
		{"relative path", "lang = \"en\"\n[crontab]\npath = \"etc/crontab\"\n", []string{`F:3: crontab.path: path "etc/crontab" must be absolute`}},
		{"several at once", "lang = \"fr\"\nreadonly = 1\n[app]\nuser = 5\nbogus = 1\n", []string{
			`F:1: lang: must be "ja" or "en", not "fr"`,
			"F:2: readonly: wrong type",
			"F:4: app.user: wrong type",
			"F:5: app.bogus: unknown key",
		}},
		{"syntax", "lang = \"en\"\n[app\n", []string{"F:2: (file): syntax:"}},
		{"duplicate job", "lang = \"en\"\n[[jobs]]\nname = \"a\"\n[[jobs]]\nname = \"a\"\n", []string{`F:5: jobs[1].name: duplicate job "a"`}},
		{"unknown host ref", "lang = \"en\"\n[database]\nhost = \"db9\"\n", []string{`F:3: database.host: no [[hosts]] entry named "db9"`}},
		{"bad service kind", "lang = \"en\"\n[[services]]\nname = \"x\"\nkind = \"upstart\"\n", []string{`F:4: services[0].kind: unknown kind "upstart"`}},
		{"bad regexp", "lang = \"en\"\n[amazon]\nblock_patterns = [\"(\"]\n", []string{"F:3: amazon.block_patterns[0]: bad regexp"}},
		{"quiet longer than clear_max", "lang = \"en\"\n[amazon]\nquiet_after = \"7h\"\n", []string{"F:3: amazon.quiet_after: must not be longer than clear_max"}},
		{"empty config test", "lang = \"en\"\n[[services]]\nname = \"nginx\"\nkind = \"systemd\"\nconfig_test = [\"\"]\n", []string{"F:5: services[0].config_test: missing command"}},
		{"unknown open log", "lang = \"en\"\n[logview]\nopen = [\"django\", \"djnago\"]\n", []string{`F:3: logview.open: unknown log "djnago"`}},
		{"open log twice", "lang = \"en\"\n[logview]\nopen = [\"django\", \"django\"]\n", []string{`F:3: logview.open: log "django" listed twice`}},
		{"bad count regexp", "lang = \"en\"\n[[jobs]]\nname = \"a\"\n[jobs.counts]\nwithdrawn = \"(\"\n", []string{"F:2: jobs[0].counts.withdrawn: bad regexp"}},
		{"watch interval", "lang = \"en\"\n[watch]\ninterval = \"10ms\"\n", []string{"F:3: watch.interval: must be at least 1s"}},
		{"history path", "lang = \"en\"\n[history]\npath = \"history.db\"\n", []string{`F:3: history.path: path "history.db" must be absolute`}},
		{"history retention", "lang = \"en\"\n[history]\nsamples_full = \"30d\"\nsamples_hourly = \"7d\"\n", []string{"F:4: history.samples_hourly: must not be shorter than samples_full"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("F", []byte(tc.toml))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %v", err)
			}
			got := ps.Error()
			for _, w := range tc.want {
				found := false
				for _, l := range strings.Split(got, "\n") {
					if strings.HasPrefix(l, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "nope.toml:0: (file): open") {
		t.Fatalf("got %v", err)
	}
}

func TestLocateOrder(t *testing.T) {
	t.Setenv(EnvVar, "/from/env.toml")
	if got := Locate("/from/flag.toml"); got != "/from/flag.toml" {
		t.Errorf("flag first: %s", got)
	}
	if got := Locate(""); got != "/from/env.toml" {
		t.Errorf("env second: %s", got)
	}
	os.Unsetenv(EnvVar)
	if _, err := os.Stat(SystemPath); err != nil {
		if got := Locate(""); got != "" {
			t.Errorf("no file: %q", got)
		}
	}
}

func TestFileOverridesOnlyWhatItSays(t *testing.T) {
	c, err := Parse("F", []byte("lang = \"en\"\n[app]\ndir = \"/srv/richs\"\n[[jobs]]\nname = \"check_item_mercari\"\nguard = \"index-linux\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.App.LogDir != "/srv/richs/logs" || c.App.User != "richs" {
		t.Errorf("derived defaults: %+v", c.App)
	}
	if len(c.Jobs) != 1 || strings.Join(c.Jobs[0].Args, " ") != "2 4 --max-workers 14" || c.Jobs[0].Log != "check_item_mercari.log" {
		t.Errorf("job defaults: %+v", c.Jobs)
	}
}

func TestParseDuration(t *testing.T) {
	cases := map[string]time.Duration{"90s": 90 * time.Second, "3h": 3 * time.Hour, "7d": 7 * 24 * time.Hour, "1w": 7 * 24 * time.Hour, "1.5d": 36 * time.Hour, "1h30m": 90 * time.Minute}
	for in, want := range cases {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "3 hours", "-1d", "d", "-5s"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLangFromEnv(t *testing.T) {
	for _, tc := range []struct{ lcAll, lang, want string }{{"", "ja_JP.UTF-8", "ja"}, {"", "en_US.UTF-8", "en"}, {"C", "ja_JP.UTF-8", "en"}, {"", "", "en"}} {
		t.Setenv("LC_ALL", tc.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tc.lang)
		if got := LangFromEnv(); got != tc.want {
			t.Errorf("LC_ALL=%q LANG=%q: %s", tc.lcAll, tc.lang, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile("../../config.example.toml")
	f.Add(data)
	f.Add([]byte("lang = \"en\"\n[[jobs]]\nname = \"x\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("F", b)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
		var ps Problems
		if err != nil && !errors.As(err, &ps) {
			t.Fatalf("error is not Problems: %v", err)
		}
	})
}

func TestT(t *testing.T) {
	var nilCfg *Config
	for _, tc := range []struct {
		name string
		c    *Config
		want string
	}{
		{"nil", nilCfg, "en"},
		{"empty", &Config{}, "en"},
		{"en", &Config{Lang: "en"}, "en"},
		{"ja", &Config{Lang: "ja"}, "ja"},
	} {
		if got := tc.c.T("en", "ja"); got != tc.want {
			t.Errorf("%s: T = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestTr(t *testing.T) {
	if got := Tr(nil, "en", "ja"); got != "en" {
		t.Errorf("nil: %q", got)
	}
	if got := Tr((&Config{Lang: "ja"}).T, "en", "ja"); got != "ja" {
		t.Errorf("ja: %q", got)
	}
}

// open = [] keeps the Logs tab on its picker: it is not the unset default.
func TestLogViewOpenEmptyIsKept(t *testing.T) {
	c, err := Parse("F", []byte("lang = \"en\"\n[logview]\nopen = []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.LogView.Open == nil || len(c.LogView.Open) != 0 {
		t.Fatalf("open = [] became %#v", c.LogView.Open)
	}
}
