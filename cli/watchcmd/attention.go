package watchcmd

import (
	"context"
	"slices"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/notify"
	"github.com/richs/richsops/ops/sanitize"
)

// The attention interlock runs the checks (as richsops check does) every
// watch.checks_interval and turns each item that appeared, changed level or
// cleared into an event and a message.
func init() {
	registerInterlock(interlock{name: "attention", run: runAttention, once: onceAttention})
}

// checks is what a pass runs: every source but the forecast, whose
// interlock sends its own level changes (the same problem twice is
// noise). Tests put their own collectors here.
var checks = func() []check.Collector {
	return slices.DeleteFunc(check.All(), func(c check.Collector) bool { return c.Name == check.SrcForecast })
}

// attItem is the last level seen of one item, by its identity.
type attItem struct {
	level, text, source string
}

// attentionState is the items open after the last pass.
type attentionState map[string]attItem

func levelOf(sev int) string {
	switch sev {
	case attention.OK:
		return notify.LevelOK
	case attention.Crit:
		return notify.LevelCrit
	}
	return notify.LevelWarn // Warn, and Unknown: a check that could not run
}

// loadAttention is the state the events left (the previous service or
// watch --once run): each item's newest event, the cleared left out. (The
// dispatcher knows from its own events what it sent.)
func loadAttention(ctx context.Context, x *interlockEnv) attentionState {
	st := attentionState{}
	s := x.Store()
	if s == nil {
		return st
	}
	evs, err := s.Events(ctx, history.EventAttention, time.Now().Add(-x.Env.Cfg.History.Events.Duration))
	if err != nil {
		x.svc.say("attention: " + err.Error())
		return st
	}
	for _, e := range evs {
		if e.Level == notify.LevelOK {
			delete(st, e.Subject)
			continue
		}
		st[e.Subject] = attItem{level: e.Level, text: e.Detail, source: e.Source}
	}
	return st
}

// attentionPass runs the checks once and reports what changed against
// prev, which it updates.
func attentionPass(ctx context.Context, x *interlockEnv, prev attentionState) {
	cfg := x.Env.Cfg
	now := time.Now()
	cur := attentionState{}
	results := check.Run(ctx, cfg, x.Env.Hosts, checks())
	if ctx.Err() != nil {
		return // stopping: every check would say it could not run
	}
	for _, r := range results {
		for i, it := range check.ForOverview(r.Report, cfg.T).Items {
			if it.Severity == attention.OK {
				continue
			}
			id := attention.Identity(it)
			if r.Items[i].Severity == check.Unknown && it.ID == "" {
				// One "could not run" per source, whatever its error.
				id = r.Source + ": could not run"
			}
			lv := levelOf(it.Severity)
			if old, dup := cur[id]; dup && notify.Rank(old.level) >= notify.Rank(lv) {
				continue
			}
			cur[id] = attItem{level: lv, text: sanitize.String(it.Text), source: it.Source}
		}
	}
	host := hostLabel(x.Host)
	// A stop in the middle of the pass must not leave half of it recorded:
	// the next start would send the rest again.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	emit := func(id string, it attItem, open bool) {
		if s := x.Store(); s != nil {
			if err := s.AddEvent(wctx, history.Event{Time: now, Kind: history.EventAttention, Source: it.source, Subject: id, Level: it.level, Detail: it.text}); err != nil {
				x.svc.say("attention: " + err.Error())
			}
		}
		x.Sink.Notify(notify.Message{Time: now, Level: it.level, Kind: notify.KindAttention, Subject: id, Host: host, Text: it.text, Open: open})
	}
	for id, it := range cur {
		if old, ok := prev[id]; !ok || old.level != it.level {
			emit(id, it, true)
		}
	}
	for id, it := range prev {
		if _, ok := cur[id]; !ok {
			it.level, it.text = notify.LevelOK, x.Env.Cfg.T("cleared: ", "解消: ")+it.text
			emit(id, it, false)
		}
	}
	clear(prev)
	for id, it := range cur {
		prev[id] = it
	}
}

func runAttention(ctx context.Context, x *interlockEnv) {
	st := loadAttention(ctx, x)
	tk := time.NewTicker(x.Env.Cfg.Watch.ChecksInterval.Duration)
	defer tk.Stop()
	for {
		attentionPass(ctx, x, st)
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
	}
}

func onceAttention(ctx context.Context, x *interlockEnv) error {
	attentionPass(ctx, x, loadAttention(ctx, x))
	return nil
}
