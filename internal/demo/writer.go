package demo

import (
	"context"
	"time"
)

// WriterOptions pace the background log writer.
type WriterOptions struct {
	Interval   time.Duration // between lines; 0 = 350ms (about 3 lines/s)
	BurstEvery time.Duration // between bursts of Amazon 503s; 0 = 4 minutes
	FirstBurst time.Duration // until the first burst; 0 = 45s
}

// RunWriter appends realistic lines to the four app logs and nginx's logs
// until ctx ends: mostly access log lines, inventory and feed lines, now
// and then an ERROR with a traceback, and every few minutes a burst of
// Amazon 503 answers.
func RunWriter(ctx context.Context, s *Sandbox, o WriterOptions) error {
	if o.Interval == 0 {
		o.Interval = 350 * time.Millisecond
	}
	if o.BurstEvery == 0 {
		o.BurstEvery = 4 * time.Minute
	}
	if o.FirstBurst == 0 {
		o.FirstBurst = 45 * time.Second
	}
	l := NewLines(uint64(time.Now().UnixNano()))
	logs := s.AppLogs()
	app := s.AppDir()
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	burst := time.NewTimer(o.FirstBurst)
	defer burst.Stop()
	burstLeft := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-burst.C:
			burstLeft = 20
			burst.Reset(o.BurstEvery)
		case t := <-tick.C:
			if burstLeft > 0 {
				burstLeft--
				target := logs["django"]
				if burstLeft%2 == 0 {
					target = logs["update-amazon-feed"]
				}
				appendLines(target, l.Amazon503(t))
			}
			switch r := l.rng.IntN(100); {
			case r < 50:
				appendLines(s.AccessLog(), l.Access(t))
			case r < 62:
				appendLines(logs["django"], l.App(t, app)...)
			case r < 74:
				appendLines(logs["inventory-mercari"], l.Inventory(t, "mercari", app)...)
			case r < 86:
				appendLines(logs["inventory-yahoo"], l.Inventory(t, "yahoo", app)...)
			case r < 96:
				appendLines(logs["update-amazon-feed"], l.Feed(t, app)...)
			default:
				appendLines(s.ErrorLog(), l.NginxError(t))
			}
		}
	}
}
