package hold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// eventsBack is how far back the past holds are read.
const eventsBack = 2 * 365 * 24 * time.Hour

// State is the hold at Now: the block in the logs, whether the hold is on,
// since when and until about when, and which jobs it holds.
type State struct {
	Now   time.Time
	Block amazon.Status
	// Open: the hold is on (its newest event is a start, or jobs are
	// paused as its own).
	Open  bool
	Since time.Time
	// Window is the clearing window learned from Past holds; Until is
	// Since + Window, when it resumes the jobs if the logs are quiet.
	Window time.Duration
	Until  time.Time
	Past   int
	// Held are the Amazon-heavy jobs whose pause is the hold's own;
	// Active those whose cron lines run (a start pauses them).
	Held, Active []string
}

// Blocked is true while blocked answers keep coming (amazon CRIT).
func (s State) Blocked() bool { return s.Block.Severity() == attention.Crit }

// Events are the hold's past events from store, or from the history
// database when store is nil (the console, richsops check).
func Events(ctx context.Context, cfg *config.Config, store *history.Store, now time.Time) ([]history.Event, error) {
	if store == nil {
		s, err := history.OpenReader(ctx, cfg.History.Path, history.Options{BusyTimeout: cfg.History.BusyTimeout.Duration})
		if errors.Is(err, history.ErrNoDatabase) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		defer s.Close()
		store = s
	}
	return store.Events(ctx, history.EventHold, now.Add(-eventsBack))
}

// Read is the hold at now: the block (amazon.Check), the Amazon-heavy
// jobs' crontab lines on h and who paused them, and the past holds from
// events (nil = none known).
func Read(ctx context.Context, cfg *config.Config, hosts *host.Registry, h host.Host, events []history.Event, now time.Time) (State, error) {
	b, err := amazon.Check(ctx, hosts, cfg, now)
	if err != nil {
		return State{Now: now}, err
	}
	return ReadWith(ctx, cfg, h, b, events, now)
}

// ReadWith is Read with the block already read (the Overview reads it for
// its own panel).
func ReadWith(ctx context.Context, cfg *config.Config, h host.Host, b amazon.Status, events []history.Event, now time.Time) (State, error) {
	st := State{Now: now, Block: b}
	past := Durations(events, cfg.Amazon.QuietAfter.Duration)
	st.Past, st.Window = len(past), Window(cfg.Amazon, past)
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Kind == history.EventHold && e.Source == Source && (e.Level == "crit" || e.Level == "ok") {
			st.Open, st.Since = e.Level == "crit", e.Time
			break
		}
	}
	if !st.Open {
		st.Since = time.Time{}
	}
	recorded := st.Open
	names := Jobs(cfg)
	if len(names) == 0 {
		return st, nil
	}
	tab, err := crontab.Load(ctx, h, cfg.Crontab.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil // no crontab: nothing runs, nothing is held
	}
	if err != nil {
		return st, err
	}
	for _, name := range names {
		switch tab.JobState(name) {
		case crontab.StateActive:
			st.Active = append(st.Active, name)
		case crontab.StatePaused, crontab.StateMixed:
			if by, at := jobs.PausedBy(ctx, cfg, h, name); by == gate.ActorHold {
				st.Held = append(st.Held, name)
				// Paused as its own though no start is recorded (the
				// history could not be written): on since the first pause.
				if !recorded && (st.Since.IsZero() || at.Before(st.Since)) {
					st.Open, st.Since = true, at
				}
			}
		}
	}
	if st.Open {
		st.Until = st.Since.Add(st.Window)
	}
	return st, nil
}

// Jobs are the configured jobs with amazon = true.
func Jobs(cfg *config.Config) []string {
	var out []string
	for _, j := range cfg.Jobs {
		if j.Amazon {
			out = append(out, j.Name)
		}
	}
	return out
}

// RunBlock is the block run now refuses an Amazon-heavy job for: blocked
// answers coming, or the hold on; nil = none.
func (s State) RunBlock() *jobs.Block {
	switch {
	case s.Open:
		since := s.Since
		if !s.Block.Since.IsZero() && s.Block.Since.Before(since) {
			since = s.Block.Since
		}
		return &jobs.Block{Since: since, Hits: s.Block.LastHour, Until: s.Until}
	case s.Blocked():
		return &jobs.Block{Since: s.Block.Since, Hits: s.Block.LastHour}
	}
	return nil
}

// Describe is the hold in one phrase for the Overview's Amazon item
// ("check_item_yahoo, update_item_yahoo held until about 17:40"); "" when
// it is off.
func (s State) Describe(t func(en, ja string) string) string {
	if !s.Open {
		return ""
	}
	tr := func(en, ja string) string { return config.Tr(t, en, ja) }
	who := strings.Join(s.Held, ", ")
	if who == "" {
		who = tr("Amazon-heavy jobs", "Amazon を多く使うジョブ")
	}
	if s.Blocked() && !s.Now.Before(s.Until) {
		return fmt.Sprintf(tr("%s held until the block is quiet (window ended %s)", "%s はブロックが収まるまで保留（期間は %s に終了）"), who, s.Until.Local().Format("15:04"))
	}
	return fmt.Sprintf(tr("%s held until about %s", "%s は %s ごろまで保留"), who, s.Until.Local().Format("15:04"))
}
