package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
)

// Validate returns every mistake that the decoder could not see: missing
// or relative paths, unknown kinds, duplicate names, bad references.
func (c *Config) Validate() Problems {
	var ps Problems
	add := func(key, format string, a ...any) {
		ps = append(ps, Problem{File: c.Path, Line: c.lineNear(key), Key: key, Msg: fmt.Sprintf(format, a...)})
	}
	abs := func(key, p string) {
		switch {
		case p == "":
			add(key, "missing path")
		case !filepath.IsAbs(p):
			add(key, "path %q must be absolute", p)
		}
	}
	argv := func(key string, v []string) {
		if len(v) == 0 || v[0] == "" {
			add(key, "missing command (an argv list such as [\"systemctl\", \"reload\", \"crond\"])")
		}
	}
	switch c.Lang {
	case "ja", "en":
	default:
		add("lang", "must be \"ja\" or \"en\", not %q", c.Lang)
	}
	abs("audit_log", c.AuditLog)
	abs("state_dir", c.StateDir)
	abs("lock_dir", c.LockDir)
	if c.BackupKeep < 1 {
		add("backup_keep", "must be at least 1, not %d", c.BackupKeep)
	}
	abs("app.dir", c.App.Dir)
	abs("app.log_dir", c.App.LogDir)
	if c.App.Python == "" {
		add("app.python", "missing command")
	}
	abs("crontab.path", c.Crontab.Path)
	argv("crontab.reload", c.Crontab.Reload)

	seen := map[string]bool{}
	for i, j := range c.Jobs {
		k := fmt.Sprintf("jobs[%d]", i)
		if j.Name == "" {
			add(k+".name", "missing job name")
		} else if !validJobName(j.Name) {
			add(k+".name", "job name %q: only letters, digits and _.:- are allowed", j.Name)
		}
		if seen[j.Name] {
			add(k+".name", "duplicate job %q", j.Name)
		}
		for name, re := range j.Counts {
			if _, err := regexp.Compile(re); err != nil {
				add(k+".counts."+name, "bad regexp: %v", err)
			}
		}
		seen[j.Name] = true
		switch j.Match {
		case "", "strict", "user", "argv":
		default:
			add(k+".match", "unknown match %q (strict, user, argv)", j.Match)
		}
		if j.Guard != "" && j.Guard != "index-linux" {
			add(k+".guard", "unknown guard %q (only \"index-linux\")", j.Guard)
		}
		if b := j.Brake; b.On() {
			if _, ok := j.Counts[b.Count]; !ok {
				add(k+".brake.count", "no [jobs.counts] pattern named %q for this job", b.Count)
			}
			if b.Factor < 1 || b.MinPerMinute < 0 || b.MaxPerRun < 0 || b.Window.Duration < time.Second {
				add(k+".brake", "factor >= 1, min_per_minute >= 0, max_per_run >= 0 and window >= 1s")
			}
		}
	}
	seen = map[string]bool{}
	for i, l := range c.Logs {
		k := fmt.Sprintf("logs[%d]", i)
		if l.Name == "" {
			add(k+".name", "missing log name")
		}
		if seen[l.Name] {
			add(k+".name", "duplicate log %q", l.Name)
		}
		seen[l.Name] = true
		abs(k+".path", l.Path)
		switch l.Kind {
		case "django", "nginx-access", "nginx-error", "plain":
		default:
			add(k+".kind", "unknown kind %q (django, nginx-access, nginx-error, plain)", l.Kind)
		}
		c.checkHostRef(&ps, k+".host", l.Host)
	}
	if c.LogView.InitialLines < 0 || c.LogView.BufferLines < 1 || c.LogView.MaxLineBytes < 80 {
		add("logview", "initial_lines >= 0, buffer_lines >= 1 and max_line_bytes >= 80")
	}
	if len(c.LogView.Open) > MaxOpenLogs {
		add("logview.open", "at most %d logs", MaxOpenLogs)
	}
	opened := map[string]bool{}
	for _, name := range c.LogView.Open {
		switch {
		case !seen[name]:
			add("logview.open", "unknown log %q (not a [[logs]] name)", name)
		case opened[name]:
			add("logview.open", "log %q listed twice", name)
		}
		opened[name] = true
	}
	abs("public.dir", c.Public.Dir)

	seen = map[string]bool{}
	for i, s := range c.Services {
		k := fmt.Sprintf("services[%d]", i)
		if s.Name == "" {
			add(k+".name", "missing service name")
		}
		if seen[s.Name] {
			add(k+".name", "duplicate service %q", s.Name)
		}
		seen[s.Name] = true
		switch s.Kind {
		case "systemd":
		case "pm2":
		case "command":
			argv(k+".start", s.Start)
			argv(k+".stop", s.Stop)
		default:
			add(k+".kind", "unknown kind %q (systemd, pm2, command)", s.Kind)
		}
		for _, prefix := range []struct {
			key  string
			argv []string
		}{{".systemctl", s.Systemctl}, {".journalctl", s.Journalctl}, {".pm2", s.PM2}} {
			if prefix.argv != nil {
				argv(k+prefix.key, prefix.argv)
			}
		}
		if len(s.ConfigTest) > 0 {
			argv(k+".config_test", s.ConfigTest)
		}
		if s.PIDFile != "" {
			abs(k+".pid_file", s.PIDFile)
		}
		c.checkHostRef(&ps, k+".host", s.Host)
	}
	abs("index_linux.path", c.IndexLinux.Path)
	if _, err := url.ParseRequestURI(c.IndexLinux.HealthURL); err != nil {
		add("index_linux.health_url", "bad URL: %v", err)
	}
	if !strings.Contains(c.IndexLinux.Redis, ":") {
		add("index_linux.redis", "want host:port, not %q", c.IndexLinux.Redis)
	}
	for i, p := range c.Probes {
		k := fmt.Sprintf("probes[%d]", i)
		if u, err := url.ParseRequestURI(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			add(k+".url", "bad URL %q (http:// or https://)", p.URL)
		}
	}
	if c.Database.DSN == "" {
		add("database.dsn", "missing DSN")
	}
	abs("database.datadir", c.Database.Datadir)
	abs("database.my_cnf", c.Database.MyCnf)
	argv("database.restart", c.Database.Restart)
	if c.Database.DiskFullPercent <= 0 || c.Database.DiskFullPercent > 100 {
		add("database.disk_full_percent", "must be between 0 and 100")
	}
	if c.Database.Host != "local" {
		c.checkHostRef(&ps, "database.host", c.Database.Host)
	}
	if c.Host != "local" {
		c.checkHostRef(&ps, "host", c.Host)
	}
	abs("backup.dir", c.Backup.Dir)
	argv("backup.dump", c.Backup.Dump)
	if c.Backup.Keep < 1 {
		add("backup.keep", "must be at least 1")
	}
	if c.Backup.Level < 1 || c.Backup.Level > 9 {
		add("backup.level", "gzip level 1..9")
	}
	if _, err := ParseSize(c.Backup.MinFree); err != nil {
		add("backup.min_free", "%v", err)
	}
	for i, p := range c.Amazon.BlockPatterns {
		// Parsing finds every error Compile would, without building the
		// matcher (this runs at every start of every subcommand).
		if _, err := syntax.Parse(p, syntax.Perl); err != nil {
			add(fmt.Sprintf("amazon.block_patterns[%d]", i), "bad regexp: %v", err)
		}
	}
	for i, name := range c.Amazon.Logs {
		if _, ok := c.LogNamed(name); !ok {
			add(fmt.Sprintf("amazon.logs[%d]", i), "no [[logs]] entry named %q", name)
		}
	}
	if _, ok := c.LogNamed(c.Traffic.Log); !ok && c.Traffic.Log != "" {
		add("traffic.log", "no [[logs]] entry named %q", c.Traffic.Log)
	}
	if c.Amazon.ClearMax.Duration < c.Amazon.ClearAfter.Duration {
		add("amazon.clear_max", "must not be shorter than clear_after")
	}
	if c.Amazon.QuietAfter.Duration > c.Amazon.ClearMax.Duration {
		add("amazon.quiet_after", "must not be longer than clear_max")
	}
	if c.Watch.Interval.Duration < time.Second {
		add("watch.interval", "must be at least 1s")
	}
	if c.Watch.ChecksInterval.Duration < time.Second {
		add("watch.checks_interval", "must be at least 1s")
	}
	switch c.Watch.CatchUp {
	case "ask", "auto":
	default:
		add("watch.catch_up", "must be \"ask\" or \"auto\", not %q", c.Watch.CatchUp)
	}
	if c.Watch.CatchUpAfter.Duration < 0 {
		add("watch.catch_up_after", "must not be negative")
	}
	if f := c.Forecast; f.CritHours <= 0 || f.WarnHours < f.CritHours || f.ClearCritHours < f.CritHours || f.ClearWarnHours < f.WarnHours {
		add("forecast", "want 0 < crit_hours <= warn_hours, clear_crit_hours >= crit_hours and clear_warn_hours >= warn_hours")
	}
	for i, n := range c.Notify {
		k := fmt.Sprintf("notify[%d]", i)
		switch n.Kind {
		case "webhook":
			if u, err := url.Parse(n.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(k+".url", "want an http(s) URL, not %q", n.URL)
			}
			if n.Format != "json" && n.Format != "slack" {
				add(k+".format", "must be \"json\" or \"slack\", not %q", n.Format)
			}
		case "mail":
			if _, _, err := net.SplitHostPort(n.SMTP); err != nil {
				add(k+".smtp", "want host:port, not %q", n.SMTP)
			}
			if n.From == "" || len(n.To) == 0 {
				add(k+".to", "mail needs from and to")
			}
		case "command":
			argv(k+".command", n.Command)
		default:
			add(k+".kind", "unknown kind %q (webhook, mail, command)", n.Kind)
		}
		if n.MinLevel != "crit" && n.MinLevel != "warn" {
			add(k+".min_level", "must be \"crit\" or \"warn\", not %q", n.MinLevel)
		}
		if n.Timeout.Duration <= 0 || n.Repeat.Duration < time.Minute || n.Retries < 0 {
			add(k, "timeout > 0, repeat >= 1m and retries >= 0")
		}
	}
	abs("history.path", c.History.Path)
	if c.History.SamplesFull.Duration <= 0 || c.History.SamplesHourly.Duration < c.History.SamplesFull.Duration {
		add("history.samples_hourly", "must not be shorter than samples_full (both above 0)")
	}
	if c.History.Runs.Duration <= 0 || c.History.Events.Duration <= 0 {
		add("history.runs", "runs and events retention must be above 0")
	}
	if c.Guard.PM2Every.Duration < 0 {
		add("guard.pm2_every", "must not be negative")
	}
	if c.Guard.Threshold < 1 {
		add("guard.threshold", "must be at least 1")
	}
	for i, name := range c.Guard.Jobs {
		if _, ok := c.Job(name); !ok {
			add(fmt.Sprintf("guard.jobs[%d]", i), "no job named %q", name)
		}
	}
	seen = map[string]bool{"local": true}
	for i, h := range c.Hosts {
		k := fmt.Sprintf("hosts[%d]", i)
		if h.Name == "" || seen[h.Name] {
			add(k+".name", "missing or duplicate host name %q (\"local\" is taken)", h.Name)
		}
		seen[h.Name] = true
		if h.SSH == "" || strings.HasPrefix(h.SSH, "-") {
			add(k+".ssh", "want user@host, not %q", h.SSH)
		}
		if err := CheckSSHOptions(h.Options); err != nil {
			add(k+".options", "%v", err)
		}
	}
	return ps
}

func (c *Config) checkHostRef(ps *Problems, key, name string) {
	if name == "" || name == "local" {
		return
	}
	if _, ok := c.HostEntry(name); !ok {
		*ps = append(*ps, Problem{File: c.Path, Line: c.lineNear(key), Key: key, Msg: fmt.Sprintf("no [[hosts]] entry named %q", name)})
	}
}

// lineNear is the key's line, else its table's, else 0 (a default).
func (c *Config) lineNear(key string) int {
	for k := key; k != ""; {
		if l := c.lines[k]; l > 0 {
			return l
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// Warnings are things that are legal but probably wrong on this machine:
// paths that do not exist. `config check` prints them without failing.
func (c *Config) Warnings() []string {
	var ws []string
	check := func(key, p string) {
		if p == "" {
			return
		}
		if _, err := os.Stat(p); err != nil {
			ws = append(ws, fmt.Sprintf("%s:%d: %s: %v", c.Path, c.lineNear(key), key, err))
		}
	}
	check("app.dir", c.App.Dir)
	check("app.log_dir", c.App.LogDir)
	check("crontab.path", c.Crontab.Path)
	check("public.dir", c.Public.Dir)
	for i, l := range c.Logs {
		if l.Host == "" && !strings.ContainsAny(l.Path, "*?[") {
			check(fmt.Sprintf("logs[%d].path", i), l.Path)
		}
	}
	if c.Database.Host == "local" {
		check("database.datadir", c.Database.Datadir)
		check("database.my_cnf", c.Database.MyCnf)
	}
	return ws
}

// ParseSize reads "512MiB", "1GiB", "2G", "1000000".
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suf string
		mul int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"K", 1000}, {"M", 1000 * 1000}, {"G", 1000 * 1000 * 1000}, {"T", 1000 * 1000 * 1000 * 1000}, {"B", 1}}
	mul := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suf); ok {
			s, mul = strings.TrimSpace(n), u.mul
			break
		}
	}
	// ParseFloat takes the whole string: "12abc" is an error, not 12.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*float64(mul) >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q (e.g. 512MiB, 1GiB)", s)
	}
	return int64(f * float64(mul)), nil
}

// validJobName: letters, digits and _.:- only (the name goes into crontab
// markers and file names).
func validJobName(name string) bool {
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.:-", c) >= 0) {
			return false
		}
	}
	return name != ""
}
