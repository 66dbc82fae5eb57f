package config

import (
	"os"
	"strings"
	"time"
)

// The runbook's stock-check arguments: 2 4 --max-workers 14.
var defaultJobArgs = []string{"2", "4", "--max-workers", "14"}

// DefaultJobs are the four manage.py commands cron runs twice a day. The
// Yahoo ones are Amazon-heavy (amazon = true): they search amazon.co.jp
// for their listings in bulk, which is what keeps a block on. The Mercari
// ones are not held: they have the guard, and holding them would stop
// the withdrawals of sold Mercari items for hours.
func DefaultJobs() []Job {
	return []Job{
		{Name: "check_item_yahoo", Log: "inventory-yahoo.log", Amazon: true},
		{Name: "check_item_mercari", Log: "inventory-mercari.log", Guard: "index-linux"},
		{Name: "update_item_yahoo", Log: "inventory-yahoo.log", Amazon: true},
		{Name: "update_item_mercari", Log: "inventory-mercari.log", Guard: "index-linux"},
	}
}

// DefaultLogs are the app's four logs and nginx's two.
func DefaultLogs(logDir string) []Log {
	return []Log{
		{Name: "django", Path: logDir + "/django.log", Kind: "django"},
		{Name: "inventory-yahoo", Path: logDir + "/inventory-yahoo.log", Kind: "django"},
		{Name: "inventory-mercari", Path: logDir + "/inventory-mercari.log", Kind: "django"},
		{Name: "update-amazon-feed", Path: logDir + "/update-amazon-feed.log", Kind: "django"},
		{Name: "nginx-access", Path: "/var/log/nginx/access.log", Kind: "nginx-access"},
		{Name: "nginx-error", Path: "/var/log/nginx/error.log", Kind: "nginx-error"},
	}
}

// MaxOpenLogs is how many panes the Logs tab shows at once.
const MaxOpenLogs = 6

// defaultOpenLogs are the app's logs (kind django, at most four): what an
// operator of the app looks at first.
func defaultOpenLogs(logs []Log) []string {
	out := []string{}
	for _, l := range logs {
		if l.Kind == "django" && len(out) < 4 {
			out = append(out, l.Name)
		}
	}
	return out
}

// DefaultServices are the systemd units and the pm2 app of the runbook.
func DefaultServices(dbHost string) []Service {
	return []Service{
		{Name: "nginx", Kind: "systemd", Unit: "nginx", CanReload: true, Log: "journal"},
		{Name: "mysqld", Kind: "systemd", Unit: "mysqld", Host: dbHost, RetryOnTimeout: true, Log: "journal"},
		{Name: "redis", Kind: "systemd", Unit: "redis", Log: "journal"},
		{Name: "crond", Kind: "systemd", Unit: "crond", CanReload: true, Log: "journal"},
		{Name: "zabbix-agent", Kind: "systemd", Unit: "zabbix-agent", Log: "journal"},
		{Name: "index-linux", Kind: "pm2", App: "index-linux"},
	}
}

// Default is the configuration with no file at all: the runbook's box.
func Default() *Config {
	c := &Config{}
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	str := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	num := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	flt := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	dur := func(p *Duration, v time.Duration) {
		if p.Duration == 0 {
			p.Duration = v
		}
	}
	list := func(p *[]string, v ...string) {
		if *p == nil {
			*p = v
		}
	}
	if c.Lang == "" {
		c.Lang = LangFromEnv()
	}
	str(&c.AuditLog, "/var/log/richsops/audit.jsonl")
	str(&c.LockDir, "/run/richsops/locks")
	str(&c.Host, "local")
	str(&c.StateDir, "/var/lib/richsops")
	str(&c.LockDir, "/run/richsops/locks")
	num(&c.BackupKeep, 20)

	str(&c.App.Dir, "/var/www/richs")
	str(&c.App.User, "richs")
	str(&c.App.Python, "python")
	str(&c.App.Manage, "manage.py")
	str(&c.App.LogDir, c.App.Dir+"/logs")
	if c.App.Env == nil {
		c.App.Env = map[string]string{"LANG": "ja_JP.UTF-8"}
	}

	str(&c.Crontab.Path, "/etc/crontab")
	list(&c.Crontab.Reload, "systemctl", "reload", "crond")

	if len(c.Jobs) == 0 {
		c.Jobs = DefaultJobs()
	}
	for i := range c.Jobs {
		j := &c.Jobs[i]
		if j.Args == nil {
			j.Args = append([]string(nil), defaultJobArgs...)
		}
		str(&j.Log, j.Name+".log")
		dur(&j.MaxRuntime, 6*time.Hour)
	}

	if len(c.Logs) == 0 {
		c.Logs = DefaultLogs(c.App.LogDir)
	}
	for i := range c.Logs {
		str(&c.Logs[i].Kind, guessLogKind(c.Logs[i].Name, c.Logs[i].Path))
	}
	num(&c.LogView.InitialLines, 2000)
	num(&c.LogView.BufferLines, 10000)
	num(&c.LogView.MaxLineBytes, 64*1024)
	if c.LogView.Open == nil {
		c.LogView.Open = defaultOpenLogs(c.Logs)
	}

	str(&c.Public.Dir, "/var/www/richs_public")
	list(&c.Public.Folders, "images", "output", "tmp")
	dur(&c.Public.TmpMaxAge, 7*24*time.Hour)
	flt(&c.Public.TmpWarnGiB, 5)

	str(&c.Database.DSN, "root@unix(/var/lib/mysql/mysql.sock)/")
	str(&c.Database.Host, "local")
	str(&c.Database.Datadir, "/var/lib/mysql")
	str(&c.Database.MyCnf, "/etc/my.cnf")
	list(&c.Database.Restart, "systemctl", "restart", "mysqld")
	flt(&c.Database.DiskFullPercent, 98)
	num(&c.Database.ExpireDays, 1)
	dur(&c.Database.Timeout, 5*time.Second)

	if c.Services == nil {
		dbHost := ""
		if c.Database.Host != "local" {
			dbHost = c.Database.Host
		}
		c.Services = DefaultServices(dbHost)
	}
	for i := range c.Services {
		s := &c.Services[i]
		if s.Kind == "systemd" {
			str(&s.Unit, s.Name)
		}
		if s.ConfigTest == nil {
			s.ConfigTest = DefaultConfigTest(s.Kind, s.Unit)
		}
		if s.Kind == "pm2" {
			str(&s.App, s.Name)
		}
		dur(&s.Timeout, 60*time.Second)
	}

	str(&c.IndexLinux.PM2App, "index-linux")
	str(&c.IndexLinux.Path, "/home/hai/index-linux")
	str(&c.IndexLinux.Script, "index.js")
	if c.IndexLinux.Env == nil {
		c.IndexLinux.Env = map[string]string{"SERVER": "srv1", "DEBUG": "ibiz:*", "NODE_ENV": "production"}
	}
	str(&c.IndexLinux.HealthURL, "http://127.0.0.1:3000/health")
	str(&c.IndexLinux.Redis, "127.0.0.1:6379")
	str(&c.IndexLinux.RedisService, "redis")

	str(&c.Amazon.CaptchaURL, "http://captcha.example/amazon/captcha/")
	if c.Probes == nil {
		c.Probes = []Probe{
			{Name: "index-linux", URL: c.IndexLinux.HealthURL},
			{Name: "captcha", URL: c.Amazon.CaptchaURL},
		}
	}
	for i := range c.Probes {
		dur(&c.Probes[i].Timeout, 5*time.Second)
	}

	str(&c.Backup.Dir, "/var/backups/richs")
	num(&c.Backup.Keep, 7)
	list(&c.Backup.Dump, "mysqldump", "--single-transaction", "--quick", "--routines", "--triggers", "--events", "--all-databases")
	num(&c.Backup.Level, 6)
	str(&c.Backup.MinFree, "1GiB")

	// urllib3's request line, requests' raise_for_status() message, and a
	// status field beside an amazon.co.jp URL, in either order. Tighter than
	// a bare "503" so a response size of 503 bytes or a 503 from another
	// service is not taken for a block.
	list(&c.Amazon.BlockPatterns,
		`amazon\.co\.jp(:\d+)? "[^"]*" 503 `,
		`503 Server Error: Service Unavailable for url: https?://[^/\s]*amazon\.co\.jp`,
		`(?i)\bstatus(_code)?[=: ]+503\b.*amazon\.co\.jp`,
		`(?i)amazon\.co\.jp.*\bstatus(_code)?[=: ]+503\b`)
	if len(c.Amazon.Logs) == 0 {
		// Only the default names that have a [[logs]] entry: a config with
		// logs of its own keeps working; a name set in the file must exist
		// (Validate).
		for _, name := range []string{"django", "inventory-yahoo", "inventory-mercari", "update-amazon-feed"} {
			if _, ok := c.LogNamed(name); ok {
				c.Amazon.Logs = append(c.Amazon.Logs, name)
			}
		}
	}
	dur(&c.Amazon.QuietAfter, time.Hour)
	dur(&c.Amazon.ClearAfter, 3*time.Hour)
	dur(&c.Amazon.ClearMax, 6*time.Hour)

	if _, ok := c.LogNamed("nginx-access"); ok {
		str(&c.Traffic.Log, "nginx-access") // else none: the traffic summary says so
	}

	flt(&c.Thresholds.DiskWarnPercent, 85)
	flt(&c.Thresholds.DiskCritPercent, 95)
	flt(&c.Thresholds.Nginx5xxPercent, 5)
	flt(&c.Thresholds.LoadPerCPU, 2)
	flt(&c.Thresholds.MemoryPercent, 90)
	flt(&c.Thresholds.ProbeSlowSeconds, 2)

	if c.Guard.Jobs == nil {
		// The withdrawing Mercari checks: the ones that do harm while
		// index-linux is down.
		for _, j := range c.Jobs {
			if j.Guard == "index-linux" && strings.HasPrefix(j.Name, "check_") {
				c.Guard.Jobs = append(c.Guard.Jobs, j.Name)
			}
		}
	}
	num(&c.Guard.Threshold, 3)
	dur(&c.Guard.Interval, time.Minute)
	str(&c.Guard.StateFile, "/var/lib/richsops/guard.json")
	if c.lines["guard.pm2_every"] == 0 { // "0s" in the file: pm2 at every probe
		dur(&c.Guard.PM2Every, 5*time.Minute)
	}

	dur(&c.Watch.Interval, 30*time.Second)
	dur(&c.Watch.ChecksInterval, 5*time.Minute)
	str(&c.Watch.CatchUp, "ask")
	dur(&c.Watch.CatchUpAfter, 10*time.Minute)
	flt(&c.Forecast.WarnHours, 8)
	flt(&c.Forecast.CritHours, 2)
	flt(&c.Forecast.ClearWarnHours, 48)
	flt(&c.Forecast.ClearCritHours, 24)
	for i := range c.Notify {
		n := &c.Notify[i]
		if n.Kind == "webhook" {
			str(&n.Format, "json")
		}
		if n.Kind == "mail" {
			str(&n.SMTP, "localhost:25")
		}
		str(&n.MinLevel, "crit")
		dur(&n.Repeat, 6*time.Hour)
		dur(&n.Timeout, 10*time.Second)
		if n.Retries == 0 {
			n.Retries = 5
		}
		if n.Name == "" {
			n.Name = n.Kind
		}
	}
	for i := range c.Jobs {
		if b := &c.Jobs[i].Brake; b.On() {
			flt(&b.Factor, 5)
			flt(&b.MinPerMinute, 20)
			dur(&b.Window, time.Minute)
		}
	}
	str(&c.History.Path, "/var/lib/richsops/history.db")
	dur(&c.History.BusyTimeout, 5*time.Second)
	dur(&c.History.SamplesFull, 14*24*time.Hour)
	dur(&c.History.SamplesHourly, 365*24*time.Hour)
	dur(&c.History.Runs, 2*365*24*time.Hour)
	dur(&c.History.Events, 2*365*24*time.Hour)
	for i := range c.Jobs {
		if c.Jobs[i].Counts == nil {
			c.Jobs[i].Counts = map[string]string{}
		}
		for k, v := range DefaultCounts {
			if _, ok := c.Jobs[i].Counts[k]; !ok {
				c.Jobs[i].Counts[k] = v
			}
		}
	}
}

// DefaultCounts are counted over every job's run log unless a job sets them
// itself: Python errors and Amazon's 503 (the throttling before a block).
var DefaultCounts = map[string]string{
	"errors":     `\bERROR\b|Traceback \(most recent call last\)`,
	"amazon_503": `(?i)amazon.*\b503\b|\b503\b.*amazon`,
}

func guessLogKind(name, path string) string {
	s := strings.ToLower(name + " " + path)
	switch {
	case strings.Contains(s, "nginx") && strings.Contains(s, "access"):
		return "nginx-access"
	case strings.Contains(s, "nginx") && strings.Contains(s, "error"):
		return "nginx-error"
	case strings.HasSuffix(path, ".log"):
		return "django"
	}
	return "plain"
}

// LangFromEnv is "ja" when LC_ALL, LC_MESSAGES or LANG starts with ja, else "en".
func LangFromEnv() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ja") {
				return "ja"
			}
			return "en"
		}
	}
	return "en"
}
