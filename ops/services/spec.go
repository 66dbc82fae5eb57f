// Package services reads and changes the state of the configured services:
// systemd units (through systemctl), pm2 apps (through pm2 jlist) and plain
// commands with start/stop/status argv. Every command runs on a host.Host,
// and every change is a gate.Action whose Run verifies the outcome by
// polling the state until it is the expected one or a timeout passes.
package services

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
)

// Kinds of service.
const (
	KindSystemd = "systemd"
	KindPM2     = "pm2"
	KindCommand = "command"
)

// Spec is one configured service with every default filled in, ready to be
// turned into commands.
type Spec struct {
	config.Service
	// IndexLinux is true for the pm2 app of [index_linux]: its path, script
	// and env come from there when the service entry leaves them out.
	IndexLinux bool
	// T translates the texts of its actions (a Config's T; nil = English).
	T func(en, ja string) string `json:"-"`
	// Seen is the state last read (Learn), for an action's preview; the
	// action itself reads the state again when it runs.
	Seen Status `json:"-"`
}

func (s Spec) t(en, ja string) string { return config.Tr(s.T, en, ja) }

// DefaultTimeout bounds the wait for a service to reach its expected state
// when the config gives none.
const DefaultTimeout = 60 * time.Second

// Specs resolves every [[services]] entry of the config.
func Specs(cfg *config.Config) []Spec {
	out := make([]Spec, 0, len(cfg.Services))
	for _, s := range cfg.Services {
		out = append(out, resolve(cfg, s))
	}
	return out
}

// Find resolves the service of that name.
func Find(cfg *config.Config, name string) (Spec, error) {
	s, ok := cfg.Service(name)
	if !ok {
		names := make([]string, 0, len(cfg.Services))
		for _, s := range cfg.Services {
			names = append(names, s.Name)
		}
		return Spec{}, config.Errorf(cfg.T, "no service named %q (configured: %s)", "%q という名前のサービスはありません（設定済み: %s）", name, strings.Join(names, ", "))
	}
	return resolve(cfg, s), nil
}

// IndexLinuxSpec is the pm2 service of [index_linux]: the [[services]] entry
// whose app is index_linux.pm2_app, or one built from [index_linux] alone
// when no entry names it.
func IndexLinuxSpec(cfg *config.Config) Spec {
	for _, s := range cfg.Services {
		if s.Kind == KindPM2 && appName(s) == cfg.IndexLinux.PM2App {
			return resolve(cfg, s)
		}
	}
	return resolve(cfg, config.Service{Name: cfg.IndexLinux.PM2App, Kind: KindPM2, App: cfg.IndexLinux.PM2App})
}

func appName(s config.Service) string {
	if s.App != "" {
		return s.App
	}
	return s.Name
}

func resolve(cfg *config.Config, s config.Service) Spec {
	sp := Spec{Service: s, T: cfg.T}
	if sp.Timeout.Duration <= 0 {
		sp.Timeout.Duration = DefaultTimeout
	}
	switch s.Kind {
	case KindSystemd:
		if sp.Unit == "" {
			sp.Unit = s.Name
		}
		if len(sp.Systemctl) == 0 {
			sp.Systemctl = []string{"systemctl"}
		}
		if len(sp.Journalctl) == 0 {
			sp.Journalctl = []string{"journalctl"}
		}
		if sp.ConfigTest == nil {
			sp.ConfigTest = config.DefaultConfigTest(s.Kind, sp.Unit)
		}
	case KindPM2:
		sp.App = appName(s)
		if len(sp.PM2) == 0 {
			sp.PM2 = []string{"pm2"}
		}
		if sp.App == cfg.IndexLinux.PM2App {
			sp.IndexLinux = true
			if sp.Path == "" {
				sp.Path = cfg.IndexLinux.Path
			}
			if sp.Script == "" {
				sp.Script = cfg.IndexLinux.Script
			}
			if sp.Env == nil {
				sp.Env = cfg.IndexLinux.Env
			}
		}
	}
	return sp
}

// ScriptPath is the file `pm2 start` runs: Script, relative to Path.
func (s Spec) ScriptPath() string {
	if s.Script == "" || filepath.IsAbs(s.Script) || s.Path == "" {
		return s.Script
	}
	return filepath.Join(s.Path, s.Script)
}

// CanDo tells whether the verb applies to this service, and why not.
func (s Spec) CanDo(v Verb) error {
	switch v {
	case Start, Stop, Restart:
		return nil
	case Reload:
		if s.Kind == KindSystemd && s.CanReload {
			return nil
		}
		return config.Errorf(s.T, "%s cannot reload (only systemd units with can_reload = true)", "%s はリロードできません（can_reload = true の systemd ユニットのみ）", s.Name)
	}
	return fmt.Errorf("unknown action %q (start, stop, restart, reload)", v)
}

// Verb is what an action does to a service.
type Verb string

// The verbs.
const (
	Start   Verb = "start"
	Stop    Verb = "stop"
	Restart Verb = "restart"
	Reload  Verb = "reload"
)

// ParseVerb reads start | stop | restart | reload.
func ParseVerb(s string) (Verb, error) {
	switch v := Verb(s); v {
	case Start, Stop, Restart, Reload:
		return v, nil
	}
	return "", fmt.Errorf("unknown action %q (start, stop, restart, reload)", s)
}
