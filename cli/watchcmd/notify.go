package watchcmd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/notify"
)

// sinkFlush bounds how long a stopping watch service waits for the
// messages still queued (retries included).
const sinkFlush = 15 * time.Second

func init() {
	newSink = func(ctx context.Context, env *cli.Env, svc *service) notify.Sink {
		if len(env.Cfg.Notify) == 0 {
			return notify.Discard{}
		}
		d := notify.New(notify.Options{Cfg: env.Cfg, Host: host.NewLocal(), Record: func(e history.Event) {
			svc.mu.Lock()
			st := svc.store
			svc.mu.Unlock()
			if st == nil {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = st.AddEvent(ctx, e)
		}})
		fmt.Fprintf(env.Stderr, "richsops watch: notifying %s\n", d.Names())
		return d
	}
}

// closeSink delivers what is queued before the watch service ends.
func closeSink(s notify.Sink) {
	c, ok := s.(interface{ Close(context.Context) })
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sinkFlush)
	defer cancel()
	c.Close(ctx)
}

// hostLabel names the box in a message: its hostname when local.
func hostLabel(h host.Host) string {
	if h.IsLocal() {
		if n, err := os.Hostname(); err == nil {
			return n
		}
	}
	return h.Name()
}

// guardMessage is the message of a guard probe that acted (or, read-only,
// would have): paused is open at CRIT until the resume.
func guardMessage(env *cli.Env, h host.Host, step guard.Step) (notify.Message, bool) {
	if !step.Acted && len(step.Did) == 0 {
		return notify.Message{}, false
	}
	t := env.Cfg.T
	m := notify.Message{Time: time.Now(), Kind: notify.KindGuard, Subject: "index-linux", Host: hostLabel(h)}
	did := strings.Join(append(append([]string{}, step.Did...), step.Errors...), "; ")
	if step.Healthy {
		m.Level, m.Text = notify.LevelOK, t("guard resumed the Mercari checks: ", "ガードがメルカリのチェックを再開: ")+did
	} else {
		m.Level, m.Open = notify.LevelCrit, true
		m.Text = fmt.Sprintf(t("index-linux unhealthy (%s): guard paused the Mercari checks: %s", "index-linux 異常（%s）: ガードがメルカリのチェックを停止: %s"), step.Reason, did)
	}
	return m, true
}

// guardNotify sends the message of a probe that acted, when its level is
// not the one last sent (also by a previous run: watch --once from cron).
func (s *service) guardNotify(ctx context.Context, step guard.Step) {
	m, ok := guardMessage(s.env, s.host, step)
	if !ok || s.sink == nil {
		return
	}
	if !s.guardKnown {
		s.guardKnown = true
		if last, ok := s.lastMessage(ctx, notify.EventSubject(m.Kind, m.Subject)); ok && last.Level == notify.LevelCrit {
			s.guardSent = last.Level
			s.seed(ctx, notify.Message{Time: last.Time, Level: last.Level, Kind: m.Kind, Subject: m.Subject, Host: m.Host, Text: last.Detail, Open: true})
		}
	}
	if m.Level != s.guardSent {
		s.guardSent = m.Level
		s.sink.Notify(m)
	}
}

// lastMessage is the newest message recorded for subject ("kind: subject").
func (s *service) lastMessage(ctx context.Context, subject string) (history.Event, bool) {
	for _, e := range slices.Backward(s.notifyEvents(ctx)) {
		if e.Source == notify.SourceMessage && e.Subject == subject {
			return e, true
		}
	}
	return history.Event{}, false
}

// notifyEvents is the recorded messages and deliveries, read once (at the
// start, to pick up where the previous run left off).
func (s *service) notifyEvents(ctx context.Context) []history.Event {
	s.notifyOnce.Do(func() {
		st := s.open(ctx)
		if st == nil {
			return
		}
		evs, err := st.Events(ctx, history.EventNotify, time.Now().Add(-s.env.Cfg.History.Events.Duration))
		if err != nil {
			s.say("notify: " + err.Error())
			return
		}
		s.notifyEvs = evs
	})
	return s.notifyEvs
}

// seeder is the Dispatcher's side that a restarted service tells what is
// still open, and asks for the repeats due (watch --once has no loop).
type seeder interface {
	Seed(m notify.Message, last time.Time)
	RepeatDue()
}

// seed tells the sink that m is open since m.Time, last sent when the
// newest event about it was recorded (its first message, or a repeat).
func (s *service) seed(ctx context.Context, m notify.Message) {
	sd, ok := s.sink.(seeder)
	if !ok {
		return
	}
	last := m.Time
	subject := notify.EventSubject(m.Kind, m.Subject)
	for _, e := range s.notifyEvents(ctx) {
		if e.Subject == subject && e.Time.After(last) {
			last = e.Time
		}
	}
	sd.Seed(m, last)
}

// repeatDue sends the repeats due now (watch --once, after its pass).
func repeatDue(sink notify.Sink) {
	if sd, ok := sink.(seeder); ok {
		sd.RepeatDue()
	}
}
