package watchcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/brake"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
)

// The brake on mass withdrawal: while a job with a [jobs.brake] runs, its
// log is followed and the run braked (cron lines paused, processes
// stopped, through the gate) when it withdraws far more than usual.
func init() {
	registerInterlock(interlock{name: "brake", run: runBrake, once: onceBrake})
}

func newBrake(x *interlockEnv) *brake.Brake {
	return &brake.Brake{Cfg: x.Env.Cfg, Host: x.Host, Gate: x.Env.Gate, Store: x.Store, Sink: x.Sink, Wait: jobs.DefaultKillWait}
}

func runBrake(ctx context.Context, x *interlockEnv) {
	var last string
	newBrake(x).Loop(ctx, brake.DefaultPoll, func(trips []brake.Trip, err error) {
		reportBrake(x, trips)
		// An error is said once until a different one comes (a log that
		// cannot be read would be said every poll).
		if msg := fmt.Sprint(err); err != nil && msg != last {
			fmt.Fprintf(x.Env.Stderr, "%s richsops watch: %s\n", time.Now().Format(time.RFC3339), sanitize.String(msg))
			last = msg
		} else if err == nil {
			last = ""
		}
	})
}

// onceBrake is one look (watch --once): a run already over its limit is
// braked; the rate is read back from the run's start. Its error is
// printed by watch --once.
func onceBrake(ctx context.Context, x *interlockEnv) error {
	trips, err := newBrake(x).Once(ctx)
	reportBrake(x, trips)
	return err
}

// reportBrake prints each trip: a line, or with --json an object
// {"brake": {...}} beside the ticks'.
func reportBrake(x *interlockEnv, trips []brake.Trip) {
	env := x.Env
	for _, tr := range trips {
		if env.JSON {
			_ = env.PrintJSON(struct {
				Brake brake.Trip `json:"brake"`
			}{tr})
			continue
		}
		fmt.Fprintf(env.Stdout, "%s brake: %s\n", time.Now().Format(time.RFC3339), tr.Text(env.Cfg.T))
	}
}
