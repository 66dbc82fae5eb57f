package services

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// State is the one word shown for a service.
type State string

// The states, from best to worst. Unknown means the state could not be read
// (the host is unreachable, systemctl or pm2 failed): it is never shown as up.
const (
	Up       State = "up"
	Degraded State = "degraded"
	Down     State = "down"
	Unknown  State = "unknown"
)

// Severity is 0 for up, 1 for degraded and unknown, 2 for down (style levels).
func (s State) Severity() int {
	switch s {
	case Up:
		return 0
	case Down:
		return 2
	}
	return 1
}

// Status is what is known about one service right now.
type Status struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Host   string `json:"host"`
	State  State  `json:"state"`
	Detail string `json:"detail"` // systemd "active (running)", pm2 "online", the status command's first line, or the error
	// Since is when the service entered its current state (zero when unknown).
	Since     time.Time `json:"since,omitzero"`
	PID       int       `json:"pid,omitempty"`
	Restarts  int       `json:"restarts,omitempty"` // pm2 restart count
	Memory    int64     `json:"memory,omitempty"`   // bytes (pm2)
	CPU       float64   `json:"cpu,omitempty"`      // percent (pm2)
	CanReload bool      `json:"can_reload"`
	// Env is the environment in force of a pm2 app, for the configured keys only
	// (the rest may hold secrets). EnvMismatch lists configured keys whose value
	// in force differs ("DEBUG: want ibiz:*, in force ibiz:foo").
	Env         map[string]string `json:"env,omitempty"`
	EnvMismatch []string          `json:"env_mismatch,omitempty"`
	// Unit facts (systemd).
	LoadState     string    `json:"load_state,omitempty"`
	UnitFileState string    `json:"unit_file_state,omitempty"`
	CheckedAt     time.Time `json:"checked_at"`
}

// StatusOf reads one service's state on its host.
func StatusOf(ctx context.Context, s Spec, h host.Host) Status {
	var st Status
	switch s.Kind {
	case KindSystemd:
		sts := systemdStatus(ctx, h, []Spec{s})
		st = sts[0]
	case KindPM2:
		st = pm2StatusOf(ctx, h, s)
	case KindCommand:
		st = commandStatus(ctx, h, s)
	default:
		st = unknown(s, fmt.Errorf("unknown kind %q", s.Kind))
	}
	st.CheckedAt = time.Now()
	return st
}

// StatusAll reads every configured service, in config order. systemd units
// of one host are read with a single systemctl call and pm2 apps of one
// host and pm2 command with a single pm2 jlist; hosts are read in parallel.
func StatusAll(ctx context.Context, cfg *config.Config, hosts *host.Registry) []Status {
	specs := Specs(cfg)
	out := make([]Status, len(specs))
	type group struct {
		h   host.Host
		idx []int
	}
	groups := map[string]*group{}
	var order []string
	for i, s := range specs {
		h, err := hosts.Get(s.Host)
		if err != nil {
			out[i] = unknown(s, err)
			continue
		}
		key := s.Kind + "\x00" + hostLabel(s.Host)
		switch s.Kind {
		case KindSystemd:
			key += "\x00" + fmt.Sprint(s.Systemctl)
		case KindPM2:
			key += "\x00" + fmt.Sprint(s.PM2)
		default:
			key = fmt.Sprint(i) // one call each
		}
		g := groups[key]
		if g == nil {
			g = &group{h: h}
			groups[key] = g
			order = append(order, key)
		}
		g.idx = append(g.idx, i)
	}
	var wg sync.WaitGroup
	for _, key := range order {
		g := groups[key]
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := make([]Spec, len(g.idx))
			for j, i := range g.idx {
				batch[j] = specs[i]
			}
			var sts []Status
			switch batch[0].Kind {
			case KindSystemd:
				sts = systemdStatus(ctx, g.h, batch)
			case KindPM2:
				sts = pm2Status(ctx, g.h, batch)
			default:
				sts = []Status{StatusOf(ctx, batch[0], g.h)}
			}
			now := time.Now()
			for j, i := range g.idx {
				sts[j].CheckedAt = now
				out[i] = sts[j]
			}
		}()
	}
	wg.Wait()
	return out
}

func hostLabel(name string) string {
	if name == "" {
		return host.LocalName
	}
	return name
}

func base(s Spec) Status {
	return Status{Name: s.Name, Kind: s.Kind, Host: hostLabel(s.Host), CanReload: s.Kind == KindSystemd && s.CanReload}
}

func unknown(s Spec, err error) Status {
	st := base(s)
	st.State, st.Detail = Unknown, err.Error()
	return st
}

// Learn takes what the live status knows that the config may not: a unit
// that systemd says can reload may be reloaded.
func (s *Spec) Learn(st Status) {
	s.Seen = st
	if s.Kind == KindSystemd && st.CanReload {
		s.CanReload = true
	}
}
