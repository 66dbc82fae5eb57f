// Package guard is the Mercari interlock: when index-linux is unhealthy for
// K consecutive probes it pauses the guarded jobs in the crontab and stops
// their running processes; when it is healthy again for K probes it resumes
// only what it paused itself (or only reports, by config).
//
// The state (consecutive counts, what guard paused) lives in a small JSON
// file so that `guard --once` from cron keeps counting across runs, and a
// lock beside it keeps a cron run and the service loop from counting twice.
package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// Probe says whether index-linux is healthy, and why not.
type Probe func(ctx context.Context) (healthy bool, reason string)

// Plan is what guard would do to one job: an action for the gate (nil when
// there is nothing to do) and whether that action pauses the job's crontab
// lines, which makes them guard's to resume later.
type Plan struct {
	Action *gate.Action
	Pauses bool
	Note   string // why the plan is less than a pause (lines paused by someone else, ...)
}

// Actions builds the changes guard makes; Guard sends each through the gate.
// JobActions is the real one.
type Actions struct {
	// Stop pauses the job's cron lines and stops its running processes, or
	// only stops the processes when the lines are not guard's to pause.
	Stop func(ctx context.Context, job string) (Plan, error)
	// Resume uncomments the lines guard paused.
	Resume func(ctx context.Context, job string) (Plan, error)
}

// State is what guard remembers between probes.
type State struct {
	Failures   int       `json:"consecutive_failures"`
	Successes  int       `json:"consecutive_successes"`
	Paused     []string  `json:"paused_by_guard"` // jobs whose lines guard paused itself
	LastProbe  time.Time `json:"last_probe,omitzero"`
	LastReason string    `json:"last_reason,omitempty"`
	LastAction string    `json:"last_action,omitempty"`
	LastActed  time.Time `json:"last_action_at,omitzero"`
}

// Guard holds the settings of one guard.
type Guard struct {
	Jobs       []string
	Threshold  int
	AutoResume bool
	// ReadOnly: probe, count and report what would be done, change nothing.
	ReadOnly  bool
	StateFile string
	Probe     Probe
	Actions   Actions
	Gate      *gate.Gate
	Now       func() time.Time
}

// Step is what one probe led to.
type Step struct {
	Healthy   bool     `json:"healthy"`
	Reason    string   `json:"reason,omitempty"`
	Threshold int      `json:"threshold"`
	State     State    `json:"state"`
	Acted     bool     `json:"acted"`            // an action went through the gate on this probe
	Did       []string `json:"did,omitempty"`    // actions taken (or, read-only, that would be), with their outcome
	Notes     []string `json:"notes,omitempty"`  // what guard left alone, and why
	Errors    []string `json:"errors,omitempty"` // actions that failed
}

// Exit codes of `guard --once`.
const (
	ExitHealthy   = 0 // healthy, nothing paused by guard
	ExitUnhealthy = 1 // unhealthy, still below the threshold
	ExitActed     = 2 // acted on this probe, or jobs stay paused by guard (or would be, read-only)
)

// ExitCode sums a step up for cron and monitoring.
func (s Step) ExitCode() int {
	switch {
	case s.Acted || len(s.State.Paused) > 0:
		return ExitActed
	case !s.Healthy && s.State.Failures >= s.Threshold:
		return ExitActed // at the threshold but nothing to do (already paused by someone, or read-only)
	case !s.Healthy:
		return ExitUnhealthy
	}
	return ExitHealthy
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
		return s, fmt.Errorf("%s: %w (delete it to start counting afresh; check that no job is left paused by guard)", path, err)
	}
	return s, nil
}

// SaveState writes the state file atomically (temp file, fsync, rename).
func SaveState(path string, s State) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(s, "", "  ")
	return host.WriteFileAtomic(path, append(data, '\n'), 0o644)
}

// lock takes an exclusive lock beside the state file, so that a cron
// `guard --once` and the service loop never count the same probe twice or
// act at the same time. It waits for the other one (bounded by ctx).
func lock(ctx context.Context, stateFile string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(stateFile), 0o755); err != nil {
		return nil, err
	}
	unlock, err := host.LockFile(ctx, filepath.Dir(stateFile), filepath.Base(stateFile)+".lock", 0)
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("another guard holds %s.lock: %w", stateFile, err)
	}
	return unlock, err
}

// Once probes once, updates the counts, acts when a threshold is crossed,
// and saves the state.
func (g *Guard) Once(ctx context.Context) (Step, error) {
	unlock, err := lock(ctx, g.StateFile)
	if err != nil {
		return Step{Threshold: g.threshold()}, err
	}
	defer unlock()
	st, err := LoadState(g.StateFile)
	if err != nil {
		return Step{Threshold: g.threshold()}, err
	}
	step := g.apply(ctx, &st)
	step.State = st
	if err := SaveState(g.StateFile, st); err != nil {
		return step, fmt.Errorf("state file: %w", err)
	}
	return step, nil
}

func (g *Guard) threshold() int { return max(g.Threshold, 1) }

func (g *Guard) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Guard) apply(ctx context.Context, st *State) Step {
	healthy, reason := g.Probe(ctx)
	st.LastProbe, st.LastReason = g.now(), reason
	step := Step{Healthy: healthy, Reason: reason, Threshold: g.threshold()}
	if healthy {
		st.Successes++
		st.Failures = 0
	} else {
		st.Failures++
		st.Successes = 0
	}
	switch {
	case !healthy && st.Failures >= step.Threshold:
		// Every probe past the threshold, not only the first: a process
		// started by hand meanwhile is stopped too, and a pause that failed
		// (crontab changed under us) is tried again.
		for _, job := range g.Jobs {
			plan, ok := g.do(ctx, &step, job, g.Actions.Stop)
			if plan.Note != "" && !slices.Contains(st.Paused, job) {
				step.Notes = append(step.Notes, job+": "+plan.Note)
			}
			if ok && plan.Pauses && !slices.Contains(st.Paused, job) {
				st.Paused = append(st.Paused, job)
			}
			if ok && plan.Action != nil {
				st.LastAction, st.LastActed = plan.Action.Name+" "+job, g.now()
			}
		}
	case healthy && st.Successes >= step.Threshold && len(st.Paused) > 0:
		if !g.AutoResume {
			// Report only; forget the jobs someone resumed by hand meanwhile.
			var still []string
			for _, job := range st.Paused {
				if plan, err := g.Actions.Resume(ctx, job); err == nil && plan.Action == nil {
					step.Notes = append(step.Notes, job+": "+plan.Note)
					continue
				}
				still = append(still, job)
			}
			st.Paused = still
			if len(still) > 0 {
				step.Notes = append(step.Notes, fmt.Sprintf("index-linux healthy again; still paused by guard: %v (guard.auto_resume is off: resume by hand with `richsops jobs resume NAME`)", still))
			}
			break
		}
		var still []string
		for _, job := range st.Paused {
			plan, ok := g.do(ctx, &step, job, g.Actions.Resume)
			if plan.Note != "" {
				step.Notes = append(step.Notes, job+": "+plan.Note)
			}
			switch {
			case ok && plan.Action != nil:
				st.LastAction, st.LastActed = plan.Action.Name+" "+job, g.now()
			case ok:
				// Nothing left to resume (resumed by hand): no longer ours.
			default:
				still = append(still, job)
			}
		}
		st.Paused = still
	}
	return step
}

// do builds a job's plan and runs its action through the gate. It reports
// whether the plan was carried out (or there was nothing to do); in
// read-only mode nothing runs and the answer is false, so nothing is
// recorded as paused.
func (g *Guard) do(ctx context.Context, step *Step, job string, build func(context.Context, string) (Plan, error)) (Plan, bool) {
	// An error with an action still runs it: a crontab that cannot be read
	// must not keep guard from stopping the running processes.
	plan, err := build(ctx, job)
	if err != nil {
		step.Errors = append(step.Errors, fmt.Sprintf("%s: %v", job, err))
		if plan.Action == nil {
			return plan, false
		}
	}
	if plan.Action == nil {
		return plan, true
	}
	a := *plan.Action
	a.Actor = gate.ActorGuard
	if g.ReadOnly {
		step.Did = append(step.Did, fmt.Sprintf("read-only: would run %s %s", a.Name, job))
		return plan, false
	}
	res := g.Gate.Do(ctx, a)
	step.Acted = true
	if res.Err != nil {
		step.Errors = append(step.Errors, fmt.Sprintf("%s %s: %v", a.Name, job, res.Err))
		// The pause is written though a later step failed: still guard's.
		var w *jobs.WrittenError
		return plan, plan.Pauses && errors.As(res.Err, &w)
	}
	step.Did = append(step.Did, fmt.Sprintf("%s %s: %s", a.Name, job, res.Outcome.Summary))
	return plan, err == nil
}

// Loop probes every interval until ctx ends, calling report after each step.
func (g *Guard) Loop(ctx context.Context, interval time.Duration, report func(Step, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		step, err := g.Once(ctx)
		if ctx.Err() != nil {
			return
		}
		report(step, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
