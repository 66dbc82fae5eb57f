// Package demo builds and animates a fake richs box in a folder: the app
// tree and its logs, nginx logs, public folders, /etc/crontab and my.cnf,
// binary logs, backups, stand-ins for python (the manage.py jobs),
// systemctl and pm2 that keep their state in the folder, an index-linux
// health server, and a config.toml pointing at all of it.
//
// The demo is local by nature (it builds files on this machine and starts
// processes here), so it uses os and os/exec directly rather than a Host:
// nothing in it ever touches the real box.
package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/localdb"
	"github.com/richs/richsops/ops/backup"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// Sandbox is one built demo folder. Its paths mirror the real box under Dir.
type Sandbox struct {
	Dir string
	// Bin is the richsops-demo binary the stand-in scripts exec.
	Bin string
	// HealthPort serves index-linux's /health (and the CAPTCHA stand-in).
	HealthPort int
	// RedisPort is where the demo's redis-server listens, if one was found
	// (RedisReal); otherwise nothing listens there and Redis shows as down.
	RedisPort int
	RedisReal bool
	// DBReal: the sandbox runs its own mariadbd (MariaDB is installed and
	// DSN is not set) on DBPort, datadir Datadir(), socket under DBDir().
	// Otherwise DBPort is a loopback port where nothing listens and the
	// datadir holds fake binary logs; DBNote says why.
	DBReal bool
	DBPort int
	DBNote string
	// DBFullPercent is database.disk_full_percent (see dbFullPercent).
	DBFullPercent float64
	// DSN is RICHSOPS_DEMO_DSN when set at build time.
	DSN string
}

// Paths inside the sandbox, the same layout as the real box.
func (s *Sandbox) AppDir() string        { return filepath.Join(s.Dir, "var/www/richs") }
func (s *Sandbox) LogDir() string        { return filepath.Join(s.AppDir(), "logs") }
func (s *Sandbox) PublicDir() string     { return filepath.Join(s.Dir, "var/www/richs_public") }
func (s *Sandbox) NginxDir() string      { return filepath.Join(s.Dir, "var/log/nginx") }
func (s *Sandbox) Crontab() string       { return filepath.Join(s.Dir, "etc/crontab") }
func (s *Sandbox) MyCnf() string         { return filepath.Join(s.Dir, "etc/my.cnf") }
func (s *Sandbox) Datadir() string       { return filepath.Join(s.Dir, "var/lib/mysql") }
func (s *Sandbox) BackupDir() string     { return filepath.Join(s.Dir, "var/backups/richs") }
func (s *Sandbox) AuditLog() string      { return filepath.Join(s.Dir, "var/log/richsops/audit.jsonl") }
func (s *Sandbox) IndexLinuxDir() string { return filepath.Join(s.Dir, "home/hai/index-linux") }
func (s *Sandbox) BinDir() string        { return filepath.Join(s.Dir, "bin") }
func (s *Sandbox) RunDir() string        { return filepath.Join(s.Dir, "run") }
func (s *Sandbox) SystemdDir() string    { return filepath.Join(s.RunDir(), "systemd") }
func (s *Sandbox) PM2File() string       { return filepath.Join(s.RunDir(), "pm2.json") }
func (s *Sandbox) PidDir() string        { return filepath.Join(s.RunDir(), "pids") }
func (s *Sandbox) ConfigPath() string    { return filepath.Join(s.Dir, "etc/richsops/config.toml") }
func (s *Sandbox) statePath() string     { return filepath.Join(s.RunDir(), "demo.json") }

// AppLogs are the app's four log files by name (as in config's [[logs]]).
func (s *Sandbox) AppLogs() map[string]string {
	return map[string]string{
		"django":             filepath.Join(s.LogDir(), "django.log"),
		"inventory-yahoo":    filepath.Join(s.LogDir(), "inventory-yahoo.log"),
		"inventory-mercari":  filepath.Join(s.LogDir(), "inventory-mercari.log"),
		"update-amazon-feed": filepath.Join(s.LogDir(), "update-amazon-feed.log"),
	}
}

// AccessLog and ErrorLog are nginx's logs.
func (s *Sandbox) AccessLog() string { return filepath.Join(s.NginxDir(), "access.log") }
func (s *Sandbox) ErrorLog() string  { return filepath.Join(s.NginxDir(), "error.log") }

// HealthURL is index-linux's management endpoint in the sandbox.
func (s *Sandbox) HealthURL() string { return fmt.Sprintf("http://127.0.0.1:%d/health", s.HealthPort) }

// DSNOrDefault is the database DSN the config uses: RICHSOPS_DEMO_DSN,
// the sandbox's own server over loopback TCP, or a loopback port where
// nothing listens (the Database tab says so).
func (s *Sandbox) DSNOrDefault() string {
	if s.DSN != "" {
		return s.DSN
	}
	if s.DBReal {
		return localdb.TCPDSN(s.DBPort)
	}
	return fmt.Sprintf("richs:demo@tcp(127.0.0.1:%d)/richs?timeout=2s", s.DBPort)
}

// EnvDir names the sandbox for the stand-ins (set by their scripts).
const EnvDir = "RICHSOPS_DEMO_DIR"

// EnvDSN, when set, is written into the demo config as database.dsn.
const EnvDSN = "RICHSOPS_DEMO_DSN"

// Options control Build.
type Options struct {
	// Bin is the richsops-demo binary for the stand-in scripts; "" = os.Executable.
	Bin string
	// Now is the time the sandbox's history ends at; zero = time.Now.
	Now time.Time
	// Seed makes the generated lines repeatable; 0 = from the clock.
	Seed uint64
	// FakeDB keeps the fallback database (fake binary logs, nothing
	// listening) even when MariaDB is installed: for tests of that path.
	FakeDB bool
}

// Build creates (or refreshes) a sandbox in dir and returns it.
func Build(dir string, o Options) (*Sandbox, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if o.Bin == "" {
		if o.Bin, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find the richsops-demo binary: %w", err)
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Seed == 0 {
		o.Seed = uint64(o.Now.UnixNano())
	}
	s := &Sandbox{Dir: abs, Bin: o.Bin, DSN: os.Getenv(EnvDSN)}
	// A rebuild changes the ports: whatever an earlier demo left running in
	// this folder would be orphaned, so it is stopped first.
	StopAll(s, 3*time.Second)
	for _, p := range []*int{&s.HealthPort, &s.RedisPort, &s.DBPort} {
		if *p, err = freeport.Loopback(); err != nil {
			return nil, err
		}
	}
	_, lookErr := exec.LookPath("redis-server")
	s.RedisReal = lookErr == nil
	if o.FakeDB {
		s.DBNote = "fake database asked for"
	} else {
		s.DBReal, s.DBNote = realDB(s)
	}

	b := &builder{s: s, now: o.Now, lines: NewLines(o.Seed), seed: o.Seed}
	steps := []func() error{b.dirs, b.app, b.logs, b.public, b.crontab, b.mysql, b.backups, b.indexLinux, b.standins, b.state, b.history, b.config}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Open reads the sandbox that Build left in dir.
func Open(dir string) (*Sandbox, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Sandbox{Dir: abs}
	data, err := os.ReadFile(s.statePath())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a demo sandbox (no run/demo.json): build it first with richsops-demo --dir %s --prepare", abs, dir)
		}
		return nil, err
	}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("%s: %w", s.statePath(), err)
	}
	s.Dir = abs
	return s, nil
}

// Config loads and validates the sandbox's generated config.
func (s *Sandbox) Config() (*config.Config, error) { return config.Load(s.ConfigPath()) }

type builder struct {
	s     *Sandbox
	now   time.Time
	lines *Lines
	seed  uint64
}

func (b *builder) dirs() error {
	s := b.s
	for _, d := range []string{s.LogDir(), s.NginxDir(), filepath.Dir(s.Crontab()), s.Datadir(), s.BackupDir(),
		filepath.Dir(s.AuditLog()), s.IndexLinuxDir(), s.BinDir(), s.SystemdDir(), s.PidDir(),
		filepath.Dir(s.ConfigPath()), filepath.Join(s.Dir, "var/lib/richsops"), filepath.Join(s.AppDir(), "richs_app")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

func write(path, content string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), mode)
}

func (b *builder) app() error {
	s := b.s
	if err := write(filepath.Join(s.AppDir(), "manage.py"), `#!/usr/bin/env python
"""Django's command-line utility for administrative tasks (richsops demo placeholder)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "richs_app.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
`, 0o755); err != nil {
		return err
	}
	return write(filepath.Join(s.AppDir(), "richs_app/settings.py"), `# richsops demo placeholder: which logger writes to which file.
LOGGING = {
    "handlers": {
        "django": {"class": "logging.FileHandler", "filename": "logs/django.log"},
        "inventory_yahoo": {"class": "logging.FileHandler", "filename": "logs/inventory-yahoo.log"},
        "inventory_mercari": {"class": "logging.FileHandler", "filename": "logs/inventory-mercari.log"},
        "amazon_feed": {"class": "logging.FileHandler", "filename": "logs/update-amazon-feed.log"},
    },
}
`, 0o644)
}

// logs writes a few hours of history, so the panes are full on first look
// and the Amazon block detector finds a burst of 503s about an hour ago.
func (b *builder) logs() error {
	s, l := b.s, b.lines
	app := s.AppDir()
	hist := func(path string, n int, span time.Duration, gen func(time.Time) []string, burstAt time.Time) error {
		var buf bytes.Buffer
		start := b.now.Add(-span)
		// The burst's 503s are merged in by time: they span longer than the
		// gap between two history lines, and a log is in time order.
		var burst []time.Time
		for k := range 25 {
			if !burstAt.IsZero() {
				burst = append(burst, burstAt.Add(time.Duration(k)*4*time.Second))
			}
		}
		for i := range n {
			t := start.Add(time.Duration(int64(span) / int64(n) * int64(i))).Add(time.Duration(l.rng.IntN(900)) * time.Millisecond)
			for len(burst) > 0 && !burst[0].After(t) {
				buf.WriteString(l.Amazon503(burst[0]) + "\n")
				burst = burst[1:]
			}
			for _, line := range gen(t) {
				buf.WriteString(line + "\n")
			}
		}
		for _, bt := range burst {
			buf.WriteString(l.Amazon503(bt) + "\n")
		}
		return write(path, buf.String(), 0o644)
	}
	logs := s.AppLogs()
	burst := b.now.Add(-70 * time.Minute)
	steps := []struct {
		path  string
		n     int
		span  time.Duration
		gen   func(time.Time) []string
		burst time.Time
	}{
		{logs["django"], 400, 6 * time.Hour, func(t time.Time) []string { return l.App(t, app) }, burst},
		{logs["inventory-yahoo"], 300, 6 * time.Hour, func(t time.Time) []string { return l.Inventory(t, "yahoo", app) }, time.Time{}},
		{logs["inventory-mercari"], 300, 6 * time.Hour, func(t time.Time) []string { return l.Inventory(t, "mercari", app) }, time.Time{}},
		{logs["update-amazon-feed"], 200, 6 * time.Hour, func(t time.Time) []string { return l.Feed(t, app) }, burst},
		{s.AccessLog(), 1500, 2 * time.Hour, func(t time.Time) []string { return []string{l.Access(t)} }, time.Time{}},
		{s.ErrorLog(), 40, 6 * time.Hour, func(t time.Time) []string { return []string{l.NginxError(t)} }, time.Time{}},
	}
	for _, st := range steps {
		if err := hist(st.path, st.n, st.span, st.gen, st.burst); err != nil {
			return err
		}
	}
	return nil
}

// public fills images, output and tmp with files of various ages; some of
// tmp is older than the 7-day clean-up age.
func (b *builder) public() error {
	s, l := b.s, b.lines
	mk := func(dir, name string, size int, age time.Duration) error {
		p := filepath.Join(s.PublicDir(), dir, name)
		if err := write(p, strings.Repeat("x", size), 0o644); err != nil {
			return err
		}
		t := b.now.Add(-age)
		return os.Chtimes(p, t, t)
	}
	day := 24 * time.Hour
	for i := range 40 {
		if err := mk("images", fmt.Sprintf("%s_%d.jpg", l.asin(), i%3+1), 20000+l.rng.IntN(80000), time.Duration(l.rng.IntN(60*24))*time.Hour); err != nil {
			return err
		}
	}
	for i := range 12 {
		age := time.Duration(i) * 2 * day
		if err := mk("output", "items-"+b.now.Add(-age).Format("20060102-1504")+".csv", 5000+l.rng.IntN(200000), age); err != nil {
			return err
		}
	}
	for i := range 20 {
		age := time.Duration(l.rng.IntN(30*24)) * time.Hour
		name := fmt.Sprintf("upload-%05d.csv", l.rng.IntN(99999))
		if i%3 == 0 {
			name = fmt.Sprintf("work-%s.jpg", l.asin())
		}
		if i < 3 { // a few recent ones
			age = time.Duration(i+1) * time.Hour
		}
		if err := mk("tmp", name, 1000+l.rng.IntN(500000), age); err != nil {
			return err
		}
	}
	return nil
}

// jobLogs maps each stock check to its log file name.
var jobLogs = map[string]string{
	"check_item_yahoo":    "inventory-yahoo.log",
	"check_item_mercari":  "inventory-mercari.log",
	"update_item_yahoo":   "inventory-yahoo.log",
	"update_item_mercari": "inventory-mercari.log",
}

// JobNames are the four stock checks in cron order.
var JobNames = []string{"check_item_yahoo", "check_item_mercari", "update_item_yahoo", "update_item_mercari"}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprint(os.Getuid())
}

func (b *builder) crontab() error {
	s := b.s
	var c strings.Builder
	c.WriteString(`# /etc/crontab: system-wide crontab (richsops demo sandbox)
SHELL=/bin/bash
PATH=` + s.BinDir() + `:/sbin:/bin:/usr/sbin:/usr/bin
MAILTO=root

# For details see man 4 crontabs

# Example of job definition:
# .---------------- minute (0 - 59)
# |  .------------- hour (0 - 23)
# |  |  .---------- day of month (1 - 31)
# |  |  |  .------- month (1 - 12) OR jan,feb,mar,apr ...
# |  |  |  |  .---- day of week (0 - 6) (Sunday=0 or 7) OR sun,mon,tue,wed,thu,fri,sat
# |  |  |  |  |
# *  *  *  *  * user-name  command to be executed
17 *  *  *  * root    cd / && run-parts --report /etc/cron.hourly

# richs stock checks: withdraw (check_item_*) and revive (update_item_*), twice a day
`)
	times := []string{"0 3,15", "30 3,15", "0 4,16", "30 4,16"}
	for i, name := range JobNames {
		fmt.Fprintf(&c, "%s * * * %s cd %s && %s manage.py %s 2 4 --max-workers 14 >> %s 2>&1\n",
			times[i], currentUser(), s.AppDir(), filepath.Join(s.BinDir(), "python"), name, filepath.Join(s.LogDir(), jobLogs[name]))
	}
	return write(s.Crontab(), c.String(), 0o644)
}

func (b *builder) mysql() error {
	s := b.s
	// A rebuild starts from an empty datadir: fake logs and a real server's
	// files do not mix, and the activity initialises a real one afresh.
	for _, d := range []string{s.Datadir(), s.DBDir()} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(s.Datadir(), 0o755); err != nil {
		return err
	}
	s.DBFullPercent = 98
	if s.DBReal {
		s.DBFullPercent = dbFullPercent(s.Datadir())
	}
	if err := write(s.MyCnf(), `[mysqld]
datadir=`+s.Datadir()+`
socket=`+s.Datadir()+`/mysql.sock
log-bin=mysql-bin
server-id=1
expire_logs_days=10
max_connections=200
character-set-server=utf8mb4
innodb_buffer_pool_size=1G

[mysqld_safe]
log-error=`+s.Dir+`/var/log/mariadb/mariadb.log
pid-file=`+s.Dir+`/run/mariadb/mariadb.pid
`, 0o644); err != nil {
		return err
	}
	if s.DBReal {
		return nil // the activity runs mariadb-install-db: it takes seconds
	}
	// Binary logs as sparse files: big sizes, no disk used.
	var index strings.Builder
	for i := range 8 {
		name := fmt.Sprintf("mysql-bin.%06d", 101+i)
		p := filepath.Join(s.Datadir(), name)
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		size := int64(1<<30) - int64(i)*37<<20
		if i == 7 {
			size = 183 << 20 // the active one
		}
		err = f.Truncate(size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		t := b.now.Add(-time.Duration(7-i) * 26 * time.Hour)
		if err := os.Chtimes(p, t, t); err != nil {
			return err
		}
		index.WriteString("./" + name + "\n")
	}
	return write(filepath.Join(s.Datadir(), "mysql-bin.index"), index.String(), 0o660)
}

func (b *builder) backups() error {
	s := b.s
	for i := range 3 {
		t := b.now.Add(-time.Duration(i+1) * 24 * time.Hour).Truncate(time.Hour)
		// The names a backup taken here gets, so rotation and the DB tab
		// treat the seeded ones alike.
		p := filepath.Join(s.BackupDir(), backup.FileName(t))
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		fmt.Fprintf(zw, "-- MariaDB dump 10.19  Distrib 10.5.22-MariaDB (richsops demo)\n-- Host: localhost    Database: \n-- Dump completed on %s\n", t.Format("2006-01-02 15:04:05"))
		if err := zw.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o640); err != nil {
			return err
		}
		if err := os.Chtimes(p, t, t); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) indexLinux() error {
	s := b.s
	if err := write(filepath.Join(s.IndexLinuxDir(), "package.json"), `{"name": "index-linux", "version": "1.8.2", "main": "index.js"}`+"\n", 0o644); err != nil {
		return err
	}
	if err := write(filepath.Join(s.IndexLinuxDir(), "index.js"), "// richsops demo placeholder: the real index-linux management server.\n", 0o644); err != nil {
		return err
	}
	return InitServiceState(s, b.now)
}

// standins writes the scripts on D/bin: each execs richsops-demo with a hidden
// subcommand, so python, systemctl and pm2 are real processes with the
// argv the console looks for.
func (b *builder) standins() error {
	s := b.s
	for name, sub := range map[string]string{"python": "demo-job", "systemctl": "demo-systemctl", "pm2": "demo-pm2"} {
		script := "#!/bin/sh\n# richsops demo stand-in for " + name + "\n" +
			EnvDir + "=" + host.ShellQuote([]string{s.Dir}) + "\nexport " + EnvDir + "\n" +
			"exec " + host.ShellQuote([]string{s.Bin, sub}) + " \"$@\"\n"
		if err := write(filepath.Join(s.BinDir(), name), script, 0o755); err != nil {
			return err
		}
	}
	// nginx -t before a reload or restart of nginx: the sandbox has no
	// nginx config to test, so it passes, saying what nginx says.
	return write(filepath.Join(s.BinDir(), "nginx"), "#!/bin/sh\n# richsops demo stand-in for nginx -t\n"+
		"echo 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok' >&2\n"+
		"echo 'nginx: configuration file /etc/nginx/nginx.conf test is successful' >&2\n", 0o755)
}

func (b *builder) state() error {
	data, err := json.MarshalIndent(b.s, "", "  ")
	if err != nil {
		return err
	}
	return write(b.s.statePath(), string(data)+"\n", 0o644)
}
