package guard_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
)

// fakeActions records what guard asked for; fail makes the next action fail.
type fakeActions struct {
	calls []string
	fail  bool
}

func (f *fakeActions) plan(name string, pauses bool) func(context.Context, string) (guard.Plan, error) {
	return func(_ context.Context, job string) (guard.Plan, error) {
		a := gate.Action{Name: name, Target: job, Run: func(context.Context) (gate.Outcome, error) {
			f.calls = append(f.calls, name+" "+job)
			if f.fail {
				f.fail = false
				return gate.Outcome{}, errors.New("crontab changed meanwhile")
			}
			return gate.Outcome{Summary: "done"}, nil
		}}
		return guard.Plan{Action: &a, Pauses: pauses}, nil
	}
}

// TestRetryAndLoop: a pause that fails is tried again on the next probe;
// a resume that fails keeps the job paused by guard; Loop reports each
// probe and stops with its context.
func TestRetryAndLoop(t *testing.T) {
	healthy := false
	f := &fakeActions{fail: true}
	g := &guard.Guard{
		Jobs: []string{"j"}, Threshold: 1, AutoResume: true,
		StateFile: filepath.Join(t.TempDir(), "s.json"),
		Probe:     func(context.Context) (bool, string) { return healthy, "" },
		Actions:   guard.Actions{Stop: f.plan("jobs.pause", true), Resume: f.plan("jobs.resume", false)},
		Gate:      gate.New(false, ""),
	}
	ctx := context.Background()
	step, _ := g.Once(ctx)
	if len(step.Errors) != 1 || len(step.State.Paused) != 0 || step.ExitCode() != guard.ExitActed {
		t.Fatalf("failed pause: %+v", step)
	}
	step, _ = g.Once(ctx)
	if len(step.Errors) != 0 || len(step.State.Paused) != 1 {
		t.Fatalf("retried pause: %+v", step)
	}
	healthy, f.fail = true, true
	step, _ = g.Once(ctx)
	if len(step.Errors) != 1 || len(step.State.Paused) != 1 {
		t.Fatalf("failed resume: %+v", step)
	}
	step, _ = g.Once(ctx)
	if len(step.Errors) != 0 || len(step.State.Paused) != 0 || step.State.LastAction != "jobs.resume j" {
		t.Fatalf("retried resume: %+v", step)
	}
	if len(f.calls) != 4 {
		t.Fatalf("calls %v", f.calls)
	}

	ctx, cancel := context.WithCancel(ctx)
	n := 0
	done := make(chan struct{})
	go func() {
		g.Loop(ctx, time.Millisecond, func(s guard.Step, err error) {
			if n++; n == 3 {
				cancel()
			}
		})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Loop did not stop")
	}
	if st, _ := guard.LoadState(g.StateFile); st.Successes < 5 {
		t.Fatalf("loop probes not counted: %+v", st)
	}
}
