package watchcmd

import (
	"context"
	"fmt"
	"os"
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
		d.Resume(svc.notifyEvents(ctx), hostLabel(svc.host))
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
// not the one it last sent (a read-only guard says what it would do on
// every probe; the dispatcher knows what a previous run sent).
func (s *service) guardNotify(step guard.Step) {
	m, ok := guardMessage(s.env, s.host, step)
	if !ok || s.sink == nil || m.Level == s.guardSent {
		return
	}
	s.guardSent = m.Level
	s.sink.Notify(m)
}

// notifyEvents is the recorded messages and deliveries, where the
// dispatcher picks up from the previous run.
func (s *service) notifyEvents(ctx context.Context) []history.Event {
	st := s.open(ctx)
	if st == nil {
		return nil
	}
	evs, err := st.Events(ctx, history.EventNotify, time.Now().Add(-s.env.Cfg.History.Events.Duration))
	if err != nil {
		s.say("notify: " + err.Error())
	}
	return evs
}

// repeatDue sends the repeats due now (watch --once, after its pass: it
// has no loop of its own).
func repeatDue(sink notify.Sink) {
	if d, ok := sink.(*notify.Dispatcher); ok {
		d.RepeatDue()
	}
}
