// Package config holds richsops' settings: the TOML shape of
// config.example.toml, the runbook's values as defaults, and validation that
// names file, line and key of each mistake.
package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole file. Every field has a default (Default()), so the
// file on the real box can be nearly empty.
type Config struct {
	Lang     string `toml:"lang"`      // ja | en; "" = from LANG
	ReadOnly bool   `toml:"readonly"`  // refuse every change
	AuditLog string `toml:"audit_log"` // JSON lines
	Host     string `toml:"host"`      // default host for subcommands: "local" or a [[hosts]] name
	// StateDir is richsops' own folder; backups of edited files go to
	// StateDir/backups, never beside the file (cron would run a copy left
	// in /etc/cron.d).
	StateDir string `toml:"state_dir"`
	// LockDir holds the flock(2) files every richsops process takes before
	// it edits a file (on the host of the file).
	LockDir    string `toml:"lock_dir"`
	BackupKeep int    `toml:"backup_keep"` // newest backups kept per edited file

	App        App         `toml:"app"`
	Crontab    Crontab     `toml:"crontab"`
	Jobs       []Job       `toml:"jobs"`
	Logs       []Log       `toml:"logs"`
	LogView    LogView     `toml:"logview"`
	Public     Public      `toml:"public"`
	Services   []Service   `toml:"services"`
	IndexLinux IndexLinux  `toml:"index_linux"`
	Probes     []Probe     `toml:"probes"`
	Database   Database    `toml:"database"`
	Backup     Backup      `toml:"backup"`
	Amazon     Amazon      `toml:"amazon"`
	Traffic    Traffic     `toml:"traffic"`
	Thresholds Thresholds  `toml:"thresholds"`
	Guard      Guard       `toml:"guard"`
	Watch      Watch       `toml:"watch"`
	History    History     `toml:"history"`
	Forecast   Forecast    `toml:"forecast"`
	Notify     []Notify    `toml:"notify"`
	Hosts      []HostEntry `toml:"hosts"`

	// Path is the file this config was read from ("" for defaults only).
	Path string `toml:"-"`
	// lines maps a dotted key ("jobs[1].args") to its line in Path.
	lines map[string]int
}

// T picks the text for the configured language: ja when Lang is "ja",
// else en (also for a nil Config). It is what ops builds its previews and
// outcomes with, like the UI's Deps.T.
func (c *Config) T(en, ja string) string {
	if c == nil {
		return en
	}
	return Pick(c.Lang, en, ja)
}

// Pick is ja for the language "ja", else en: the one rule behind
// Config.T and the UI's Deps.T.
func Pick(lang, en, ja string) string {
	if lang == "ja" {
		return ja
	}
	return en
}

// Tr is t(en, ja), or en when t is nil: for the structs of ops that carry a
// Config's T (nil = English).
func Tr(t func(en, ja string) string, en, ja string) string {
	if t == nil {
		return en
	}
	return t(en, ja)
}

// App is the Django application.
type App struct {
	Dir    string            `toml:"dir"`
	User   string            `toml:"user"`   // jobs run as this user when richsops runs as root
	Python string            `toml:"python"` // python command (argv[0])
	Manage string            `toml:"manage"` // manage.py, relative to dir
	LogDir string            `toml:"log_dir"`
	Env    map[string]string `toml:"env"`
}

// Crontab is the system crontab the stock checks are scheduled in.
type Crontab struct {
	Path   string   `toml:"path"`
	Reload []string `toml:"reload"` // argv run after an edit
}

// Job is one manage.py stock-check command.
type Job struct {
	Name  string   `toml:"name"`  // the manage.py command, e.g. check_item_mercari
	Args  []string `toml:"args"`  // default arguments
	Log   string   `toml:"log"`   // relative to app.log_dir, or absolute
	Guard string   `toml:"guard"` // "index-linux": refuse to start while it is unhealthy
	// Match is what besides argv makes a process this job's: "strict"
	// (default: run by app.user or root, working under app.dir), "user"
	// (by app.user or root, in any folder) or "argv" (argv alone).
	Match string `toml:"match"`
	// MaxRuntime marks a run as "running far longer than usual".
	MaxRuntime Duration `toml:"max_runtime"`
	// Counts are named regexps counted over a run's log lines ([jobs.counts]);
	// "errors" and "amazon_503" are added when not set.
	Counts map[string]string `toml:"counts"`
	// Amazon marks a job heavy on Amazon's API: it keeps a block on while
	// it runs, so it is held (run now refused, cron lines paused by the
	// watch service) while a block is active.
	Amazon bool `toml:"amazon"`
	// Brake stops a run that withdraws far more than usual ([jobs.brake]);
	// off while Brake.Count is "".
	Brake Brake `toml:"brake"`
}

// Brake is the watch service's brake on mass withdrawal for one job.
type Brake struct {
	// Count names the [jobs.counts] pattern that counts withdrawals
	// ("withdrawn"); "" = no brake for this job.
	Count string `toml:"count"`
	// Factor: trip when the rate exceeds Factor x the baseline rate of the
	// job's last complete runs...
	Factor float64 `toml:"factor"`
	// ...and MinPerMinute, an absolute floor (a new job has no baseline).
	MinPerMinute float64 `toml:"min_per_minute"`
	// MaxPerRun trips on one run's total alone (0 = off).
	MaxPerRun int `toml:"max_per_run"`
	// Window is what the rate is measured over.
	Window Duration `toml:"window"`
}

// On is true when the job has a brake.
func (b Brake) On() bool { return b.Count != "" }

// Log is one followed log file (or a glob of them).
type Log struct {
	Name string `toml:"name"`
	Path string `toml:"path"` // a path or a glob
	Host string `toml:"host"` // "" = local
	// Kind selects colouring and parsing: django | nginx-access | nginx-error | plain.
	Kind string `toml:"kind"`
}

// LogView bounds the log panes.
type LogView struct {
	InitialLines int `toml:"initial_lines"` // lines shown on open
	BufferLines  int `toml:"buffer_lines"`  // ring buffer per pane
	MaxLineBytes int `toml:"max_line_bytes"`
	// Open names the [[logs]] shown as panes on the tab's first visit
	// (unset: the app's logs; [] = only the picker).
	Open []string `toml:"open"`
}

// Public is the folder of files served to the outside.
type Public struct {
	Dir        string   `toml:"dir"`
	Folders    []string `toml:"folders"` // images, output, tmp
	TmpMaxAge  Duration `toml:"tmp_max_age"`
	TmpWarnGiB float64  `toml:"tmp_warn_gib"`
}

// Service is one thing richsops can start and stop.
type Service struct {
	Name string `toml:"name"`
	Kind string `toml:"kind"` // systemd | pm2 | command
	Host string `toml:"host"` // "" = local
	// systemd
	Unit      string `toml:"unit"`
	CanReload bool   `toml:"can_reload"`
	// Systemctl and Journalctl are the argv prefixes used for this unit
	// (default ["systemctl"], ["journalctl"]); e.g. ["sudo", "systemctl"].
	Systemctl  []string `toml:"systemctl"`
	Journalctl []string `toml:"journalctl"`
	// pm2
	App  string            `toml:"app"`
	Path string            `toml:"path"`
	Env  map[string]string `toml:"env"`
	// Script is started by `pm2 start` when the app is not in pm2's list
	// (relative to path). For index-linux it defaults to index_linux.script.
	Script string `toml:"script"`
	// PM2 is the pm2 argv prefix (default ["pm2"]); pm2 keeps one daemon per
	// user, so e.g. ["sudo", "-u", "hai", "pm2"] or ["env", "PM2_HOME=/home/hai/.pm2", "pm2"].
	PM2 []string `toml:"pm2"`
	// command
	Start   []string `toml:"start"`
	Stop    []string `toml:"stop"`
	Restart []string `toml:"restart"`
	Status  []string `toml:"status"`
	// PIDFile (command) gives the pid and, by its mtime, the start time.
	PIDFile string `toml:"pid_file"`
	// Log is shown by the Logs tab: a file, or "journal" for journalctl -u.
	Log string `toml:"log"`
	// RetryOnTimeout retries a restart once when it times out (mysqld, as the runbook does).
	RetryOnTimeout bool     `toml:"retry_on_timeout"`
	Timeout        Duration `toml:"timeout"`
	// ConfigTest runs before a reload or restart; one that fails refuses
	// them. Unset: DefaultConfigTest; [] turns it off.
	ConfigTest []string `toml:"config_test"`
}

// DefaultConfigTest is the config test of a service left unset: `nginx -t`
// for a systemd unit named nginx (a reload or restart with a broken config
// takes the site down), none for the others.
func DefaultConfigTest(kind, unit string) []string {
	if kind == "systemd" && strings.TrimSuffix(unit, ".service") == "nginx" {
		return []string{"nginx", "-t"}
	}
	return nil
}

// IndexLinux is the in-house Node.js service the Mercari checks depend on.
type IndexLinux struct {
	PM2App    string            `toml:"pm2_app"`
	Path      string            `toml:"path"`
	Script    string            `toml:"script"` // relative to path
	Env       map[string]string `toml:"env"`
	HealthURL string            `toml:"health_url"`
	Redis     string            `toml:"redis"` // host:port
	// RedisService names the [[services]] entry restarted by "restart Redis, then index-linux".
	RedisService string `toml:"redis_service"`
}

// Probe is an HTTP health check of an in-house service.
type Probe struct {
	Name    string   `toml:"name"`
	URL     string   `toml:"url"`
	Timeout Duration `toml:"timeout"`
	Expect  int      `toml:"expect"` // expected status; 0 = any 2xx/3xx
}

// Database is the MariaDB server whose binary logs fill its disk.
type Database struct {
	DSN             string   `toml:"dsn"`
	Host            string   `toml:"host"` // "local" or a [[hosts]] name
	Datadir         string   `toml:"datadir"`
	MyCnf           string   `toml:"my_cnf"`
	Restart         []string `toml:"restart"`
	DiskFullPercent float64  `toml:"disk_full_percent"`
	ExpireDays      int      `toml:"expire_days"`
	Timeout         Duration `toml:"timeout"`
}

// Backup is the mysqldump backup taken on the application server.
type Backup struct {
	Dir     string   `toml:"dir"`
	Keep    int      `toml:"keep"`
	Dump    []string `toml:"dump"`
	Level   int      `toml:"level"` // gzip level
	MinFree string   `toml:"min_free"`
}

// Amazon is how a rate block by Amazon shows in the logs.
type Amazon struct {
	BlockPatterns []string `toml:"block_patterns"`
	Logs          []string `toml:"logs"` // names of [[logs]] to scan
	// QuietAfter: no blocked request for this long means the requests
	// stopped, so the block is clearing rather than on.
	QuietAfter Duration `toml:"quiet_after"`
	ClearAfter Duration `toml:"clear_after"`
	ClearMax   Duration `toml:"clear_max"`
	CaptchaURL string   `toml:"captcha_url"`
}

// Traffic is the nginx access summary.
type Traffic struct {
	Log       string `toml:"log"`        // name of a [[logs]] entry
	LogFormat string `toml:"log_format"` // nginx log_format; "" = combined
}

// Thresholds are when the overview raises attention.
type Thresholds struct {
	DiskWarnPercent  float64 `toml:"disk_warn_percent"`
	DiskCritPercent  float64 `toml:"disk_crit_percent"`
	Nginx5xxPercent  float64 `toml:"nginx_5xx_percent"`
	LoadPerCPU       float64 `toml:"load_per_cpu"`
	MemoryPercent    float64 `toml:"memory_percent"`
	ProbeSlowSeconds float64 `toml:"probe_slow_seconds"`
}

// Guard is the Mercari interlock of `richsops guard`.
type Guard struct {
	Jobs       []string `toml:"jobs"`
	Threshold  int      `toml:"threshold"`
	Interval   Duration `toml:"interval"`
	StateFile  string   `toml:"state_file"`
	AutoResume bool     `toml:"auto_resume"`
	// PM2Every: while index-linux's health URL answers and Redis PONGs,
	// pm2's last "online" is reused this long (each `pm2 jlist` starts
	// Node.js); 0 asks pm2 at every probe.
	PM2Every Duration `toml:"pm2_every"`
}

// Watch is `richsops watch`, the service that samples the box and records
// job runs (and runs the guard's loop).
type Watch struct {
	Interval Duration `toml:"interval"`
	// ChecksInterval is how often the watch service runs the checks of
	// richsops check for their transitions (messages): a pass forks pm2,
	// systemctl and the probes, far more than a sample costs.
	ChecksInterval Duration `toml:"checks_interval"`
	// CatchUp is what the watch service does with a run missed while the
	// box was down: "ask" (an attention item with a key; default) or
	// "auto" (run it once the box has been up CatchUpAfter and the checks
	// before a start pass).
	CatchUp      string   `toml:"catch_up"`
	CatchUpAfter Duration `toml:"catch_up_after"`
}

// Forecast is "disk full in N hours" from the recorded samples: a level is
// raised under its hours and cleared only above its clear hours, so it
// does not flap.
type Forecast struct {
	WarnHours      float64 `toml:"warn_hours"`
	CritHours      float64 `toml:"crit_hours"`
	ClearWarnHours float64 `toml:"clear_warn_hours"`
	ClearCritHours float64 `toml:"clear_crit_hours"`
}

// Notify is one [[notify]] target of the watch service's messages.
type Notify struct {
	Name string `toml:"name"`
	Kind string `toml:"kind"` // webhook | mail | command
	// webhook: POST of JSON to URL; Format "slack" sends {"text": ...}
	// (Slack, Mattermost, Rocket.Chat), "json" (default) the whole message.
	URL    string `toml:"url"`
	Format string `toml:"format"`
	// mail: SMTP to a relay (default localhost:25), plain text.
	SMTP string   `toml:"smtp"`
	From string   `toml:"from"`
	To   []string `toml:"to"`
	// command: argv, the message on stdin.
	Command []string `toml:"command"`
	// MinLevel is the lowest level sent: "crit" (default) or "warn";
	// recoveries of what was sent are always sent.
	MinLevel string `toml:"min_level"`
	// Repeat: a still-open CRIT is sent again after this long.
	Repeat Duration `toml:"repeat"`
	// Timeout bounds one delivery attempt; Retries more attempts follow
	// with backoff.
	Timeout Duration `toml:"timeout"`
	Retries int      `toml:"retries"`
}

// History is the SQLite store of runs, samples and events.
type History struct {
	Path        string   `toml:"path"`
	BusyTimeout Duration `toml:"busy_timeout"` // how long a locked database is waited for
	// Retention: samples at full rate, then hourly aggregates; runs; events.
	SamplesFull   Duration `toml:"samples_full"`
	SamplesHourly Duration `toml:"samples_hourly"`
	Runs          Duration `toml:"runs"`
	Events        Duration `toml:"events"`
}

// HostEntry is another machine reached over SSH.
type HostEntry struct {
	Name    string   `toml:"name"`
	SSH     string   `toml:"ssh"` // user@host
	Options []string `toml:"options"`
	Roles   []string `toml:"roles"`
}

// Duration is a time.Duration written as "7d", "3h", "90s" in TOML.
type Duration struct{ time.Duration }

// JobLogPath is where a job's output goes.
func (c *Config) JobLogPath(j Job) string {
	if filepath.IsAbs(j.Log) {
		return j.Log
	}
	return filepath.Join(c.App.LogDir, j.Log)
}

// Job finds a job by exact name.
func (c *Config) Job(name string) (Job, bool) {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// Service finds a service by name.
func (c *Config) Service(name string) (Service, bool) {
	for _, s := range c.Services {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}

// LogNamed finds a [[logs]] entry by name.
func (c *Config) LogNamed(name string) (Log, bool) {
	for _, l := range c.Logs {
		if l.Name == name {
			return l, true
		}
	}
	return Log{}, false
}

// HostEntry finds a host by name.
func (c *Config) HostEntry(name string) (HostEntry, bool) {
	for _, h := range c.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return HostEntry{}, false
}

// BackupDir is where backups of edited files go.
func (c *Config) BackupDir() string { return filepath.Join(c.StateDir, "backups") }

// Line is the line of a dotted key in the file, 0 when unknown.
func (c *Config) Line(key string) int { return c.lines[key] }
