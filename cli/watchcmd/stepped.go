package watchcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/sanitize"
)

// passFunc is one pass of an interlock: what it did, what failed (tried
// again next pass), and an error when it could not judge at all.
type passFunc func(ctx context.Context) (did, errs []string, err error)

// stepped is an interlock that runs pass every watch.interval (within
// timeout each), printing what it did; build makes the pass once per
// service, so it keeps its state between passes.
func stepped(name string, timeout time.Duration, build func(x *interlockEnv) passFunc) interlock {
	one := func(ctx context.Context, x *interlockEnv, pass passFunc) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		did, errs, err := pass(ctx)
		printStep(x.Env, name, did, errs)
		return err
	}
	return interlock{
		name: name,
		run: func(ctx context.Context, x *interlockEnv) {
			pass := build(x)
			loopEvery(ctx, x.Env.Cfg.Watch.Interval.Duration, func() {
				if err := one(ctx, x, pass); err != nil && ctx.Err() == nil {
					printStep(x.Env, name, nil, []string{err.Error()})
				}
			})
		},
		once: func(ctx context.Context, x *interlockEnv) error { return one(ctx, x, build(x)) },
	}
}

// printStep prints an interlock's actions and errors, one a line; on
// stderr with --json, whose stdout is the ticks' JSON only.
func printStep(env *cli.Env, name string, did, errs []string) {
	w, now := env.Stdout, time.Now().Format(time.RFC3339)
	if env.JSON {
		w = env.Stderr
	}
	for _, d := range did {
		fmt.Fprintf(w, "%s %s: %s\n", now, name, sanitize.String(d))
	}
	for _, e := range errs {
		fmt.Fprintf(w, "%s %s: ERROR: %s\n", now, name, sanitize.String(e))
	}
}

// loopEvery calls pass now and then every interval until ctx ends.
func loopEvery(ctx context.Context, interval time.Duration, pass func()) {
	if interval <= 0 {
		interval = time.Minute
	}
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		pass()
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
	}
}
