package demo

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
)

// HistoryPath is the sandbox's history database.
func (s *Sandbox) HistoryPath() string { return filepath.Join(s.Dir, "var/lib/richsops/history.db") }

// HistoryDays is how far back the seeded history goes.
const HistoryDays = 30

// jobUsual is each stock check's usual run time, so the seeded runs have a
// baseline that differs per job.
var jobUsual = map[string]time.Duration{
	"check_item_yahoo":    18 * time.Minute,
	"check_item_mercari":  34 * time.Minute,
	"update_item_yahoo":   12 * time.Minute,
	"update_item_mercari": 22 * time.Minute,
}

// SeedRuns are HistoryDays of runs of every job before now, at their
// crontab times (twice a day), with a few failures, one killed run (the
// last of check_item_yahoo, so the Overview shows it at once) and one
// run far too short.
func SeedRuns(now time.Time, seed uint64, user string) []history.Run {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	offsets := []time.Duration{0, 30 * time.Minute, time.Hour, 90 * time.Minute} // the crontab's minutes after 03:00 and 15:00
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()).AddDate(0, 0, -HistoryDays)
	var out []history.Run
	for i, name := range JobNames {
		usual := jobUsual[name]
		var runs []history.Run
		for d := 0; d <= HistoryDays; d++ {
			for _, h := range []int{3, 15} {
				start := day0.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + offsets[i])
				// within ±10% of the usual time
				dur := usual + time.Duration((rng.Float64()-0.5)*0.2*float64(usual))
				if !start.Add(dur).Before(now) {
					continue
				}
				code := 0
				r := history.Run{Job: name, Host: host.LocalName, Start: start, End: start.Add(dur), ExitCode: &code,
					Trigger: history.TriggerCron, User: user, Source: history.SourceExec,
					Counts: map[string]int{"checked": 1200 + rng.IntN(200), "changed": rng.IntN(30),
						// the stand-in's share of withdrawals: about 13 a minute
						"withdrawn": int(dur.Minutes() * 13)}}
				runs = append(runs, r)
			}
		}
		// A few failures: an exception part way through.
		for _, k := range []int{9, 27, 44} {
			if k < len(runs)-1 && (i+k)%2 == 0 {
				failed := 1
				runs[k].ExitCode = &failed
				runs[k].End = runs[k].Start.Add(runs[k].Duration() / 3)
			}
		}
		switch name {
		case "check_item_yahoo":
			last := &runs[len(runs)-1]
			last.ExitCode, last.KilledBy = nil, "root"
			last.End = last.Start.Add(last.Duration() / 2)
		case "update_item_mercari":
			short := &runs[len(runs)-6]
			short.End = short.Start.Add(40 * time.Second)
			short.Counts = map[string]int{"checked": 3, "changed": 0}
		}
		out = append(out, runs...)
	}
	return out
}

// history seeds the sandbox's history database.
func (b *builder) history() error {
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, b.s.HistoryPath(), history.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM runs`); err != nil { // a rebuild seeds anew
		return err
	}
	_, err = s.AddRuns(ctx, SeedRuns(b.now, b.seed, currentUser()))
	return err
}
