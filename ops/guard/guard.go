// Package guard is the Mercari interlock: when index-linux is unhealthy for
// K consecutive probes it pauses the guarded jobs in the crontab and stops
// their running processes; when it is healthy again for K probes it resumes
// only what it paused itself (or only reports, by config).
//
// The state (consecutive counts, what guard paused) lives in a small JSON
// file so that `guard --once` from cron keeps counting across runs.
package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/richs/richsops/ops/gate"
)

// Probe says whether index-linux is healthy, and why not.
type Probe func(ctx context.Context) (healthy bool, reason string)

// Actions builds the changes guard makes; each goes through the gate.
type Actions struct {
	// Stop pauses the job's cron lines and stops its running processes.
	Stop func(ctx context.Context, job string) (gate.Action, error)
	// Resume uncomments the lines guard paused.
	Resume func(ctx context.Context, job string) (gate.Action, error)
}

// State is what guard remembers between probes.
type State struct {
	Failures   int       `json:"consecutive_failures"`
	Successes  int       `json:"consecutive_successes"`
	Paused     []string  `json:"paused_by_guard"`
	LastProbe  time.Time `json:"last_probe"`
	LastReason string    `json:"last_reason,omitempty"`
	LastAction string    `json:"last_action,omitempty"`
}

// Guard holds the settings of one guard.
type Guard struct {
	Jobs       []string
	Threshold  int
	AutoResume bool
	StateFile  string
	Probe      Probe
	Actions    Actions
	Gate       *gate.Gate
	Now        func() time.Time
}

// Step is what one probe led to.
type Step struct {
	Healthy bool     `json:"healthy"`
	Reason  string   `json:"reason,omitempty"`
	State   State    `json:"state"`
	Did     []string `json:"did,omitempty"`    // actions taken, each with its outcome
	Errors  []string `json:"errors,omitempty"` // actions that failed
}

// LoadState reads the state file; a missing file is a fresh state.
func LoadState(path string) (State, error) {
	var s State
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %w (delete it to start counting afresh)", path, err)
	}
	return s, nil
}

// SaveState writes the state file atomically.
func SaveState(path string, s State) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(s, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Once probes once, updates the counts, acts when a threshold is crossed,
// and saves the state.
func (g *Guard) Once(ctx context.Context) (Step, error) {
	st, err := LoadState(g.StateFile)
	if err != nil {
		return Step{}, err
	}
	step := g.apply(ctx, &st)
	if err := SaveState(g.StateFile, st); err != nil {
		return step, fmt.Errorf("state file: %w", err)
	}
	step.State = st
	return step, nil
}

func (g *Guard) apply(ctx context.Context, st *State) Step {
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	healthy, reason := g.Probe(ctx)
	st.LastProbe, st.LastReason = now(), reason
	step := Step{Healthy: healthy, Reason: reason}
	if healthy {
		st.Successes++
		st.Failures = 0
	} else {
		st.Failures++
		st.Successes = 0
	}
	threshold := g.Threshold
	if threshold < 1 {
		threshold = 1
	}
	switch {
	case !healthy && st.Failures >= threshold:
		for _, job := range g.Jobs {
			if contains(st.Paused, job) {
				continue // paused on an earlier probe; nothing new to do
			}
			if g.run(ctx, &step, job, g.Actions.Stop) {
				st.Paused = append(st.Paused, job)
				st.LastAction = "stopped " + job
			}
		}
	case healthy && st.Successes >= threshold && len(st.Paused) > 0:
		if !g.AutoResume {
			step.Did = append(step.Did, fmt.Sprintf("index-linux healthy again; still paused by guard: %v (auto_resume is off: resume by hand)", st.Paused))
			break
		}
		var still []string
		for _, job := range st.Paused {
			if g.run(ctx, &step, job, g.Actions.Resume) {
				st.LastAction = "resumed " + job
			} else {
				still = append(still, job)
			}
		}
		st.Paused = still
	}
	return step
}

func (g *Guard) run(ctx context.Context, step *Step, job string, build func(context.Context, string) (gate.Action, error)) bool {
	a, err := build(ctx, job)
	if err != nil {
		step.Errors = append(step.Errors, fmt.Sprintf("%s: %v", job, err))
		return false
	}
	res := g.Gate.Do(ctx, a)
	if res.Err != nil {
		step.Errors = append(step.Errors, fmt.Sprintf("%s %s: %v", a.Name, job, res.Err))
		return false
	}
	step.Did = append(step.Did, fmt.Sprintf("%s %s: %s", a.Name, job, res.Outcome.Summary))
	return true
}

// Loop probes every interval until ctx ends, calling report after each step.
func (g *Guard) Loop(ctx context.Context, interval time.Duration, report func(Step, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		step, err := g.Once(ctx)
		report(step, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
