package watchcmd

import (
	"context"
	"fmt"

	"github.com/richs/richsops/ops/brake"
	"github.com/richs/richsops/ops/jobs"
)

// The brake on mass withdrawal: while a job with a [jobs.brake] runs, its
// log is followed and the run braked (cron lines paused, processes
// stopped, through the gate) when it withdraws far more than usual. It
// polls on its own, shorter cadence than watch.interval: a minute of
// mass withdrawal is already too many listings.
func init() {
	registerInterlock(interlock{name: "brake", run: runBrake, once: onceBrake})
}

func newBrake(x *interlockEnv) *brake.Brake {
	return &brake.Brake{Cfg: x.Env.Cfg, Host: x.Host, Gate: x.Env.Gate, Store: x.Store, Sink: x.Sink, Wait: jobs.DefaultKillWait}
}

func runBrake(ctx context.Context, x *interlockEnv) {
	var last string
	newBrake(x).Loop(ctx, brake.DefaultPoll, func(trips []brake.Trip, err error) {
		// An error is said once until it changes (a log that cannot be
		// read would be said every poll).
		var errs []string
		if msg := fmt.Sprint(err); err != nil && msg != last {
			errs = []string{msg}
		}
		last = ""
		if err != nil {
			last = err.Error()
		}
		printStep(x.Env, "brake", tripLines(x, trips), errs)
	})
}

// onceBrake is one look (watch --once): a run already over its limit is
// braked; the rate is read back from the run's start. Its error is
// printed by watch --once.
func onceBrake(ctx context.Context, x *interlockEnv) error {
	trips, err := newBrake(x).Once(ctx)
	printStep(x.Env, "brake", tripLines(x, trips), nil)
	return err
}

func tripLines(x *interlockEnv, trips []brake.Trip) []string {
	var out []string
	for _, tr := range trips {
		out = append(out, tr.Text(x.Env.Cfg.T))
	}
	return out
}
