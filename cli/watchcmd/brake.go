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
	newBrake(x).Loop(ctx, brake.DefaultPoll, func(trips []brake.Trip, err error) {
		reportBrake(x, trips, err)
	})
}

// onceBrake is one look (watch --once): a run already over its limit is
// braked; the rate is read back from the run's start.
func onceBrake(ctx context.Context, x *interlockEnv) error {
	trips, err := newBrake(x).Once(ctx)
	reportBrake(x, trips, nil) // err: printed by watch --once
	return err
}

func reportBrake(x *interlockEnv, trips []brake.Trip, err error) {
	env := x.Env
	for _, tr := range trips {
		fmt.Fprintf(env.Stdout, "%s brake: %s\n", time.Now().Format(time.RFC3339), tr.Text(env.Cfg.T))
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s richsops watch: %s\n", time.Now().Format(time.RFC3339), sanitize.String(err.Error()))
	}
}
