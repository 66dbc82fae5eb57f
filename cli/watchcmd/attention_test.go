package watchcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/testbin"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/notify"
)

// hook is a real webhook receiver on loopback.
type hook struct {
	*httptest.Server
	got chan notify.Message
}

func newHook(t *testing.T) *hook {
	h := &hook{got: make(chan notify.Message, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m notify.Message
		if err := json.Unmarshal(b, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.got <- m
	}))
	t.Cleanup(h.Close)
	return h
}

// take is everything received so far (watch --once has flushed its
// deliveries when it returns).
func (h *hook) take() []notify.Message {
	var out []notify.Message
	for {
		select {
		case m := <-h.got:
			out = append(out, m)
		default:
			return out
		}
	}
}

// withNotify appends a [[notify]] webhook at min_level warn to f's config.
func (f fixture) withNotify(t *testing.T, url string) {
	b, err := os.ReadFile(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("[[notify]]\nname = \"hook\"\nkind = \"webhook\"\nmin_level = \"warn\"\ntimeout = \"2s\"\nurl = \""+url+"\"\n")...)
	if err := os.WriteFile(f.cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeChecks replaces the check sources with one whose items the test sets.
func fakeChecks(t testing.TB) func(items ...attention.Item) {
	var mu sync.Mutex
	var cur []attention.Item
	old := checks
	checks = func() []check.Collector {
		return []check.Collector{{Name: "fake", Timeout: time.Second, Run: func(context.Context, *config.Config, *host.Registry) attention.Report {
			mu.Lock()
			defer mu.Unlock()
			return attention.Report{Items: append([]attention.Item(nil), cur...)}
		}}}
	}
	t.Cleanup(func() { checks = old })
	return func(items ...attention.Item) {
		mu.Lock()
		defer mu.Unlock()
		cur = items
	}
}

func summary(ms []notify.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Level+" "+m.Text)
	}
	return out
}

// Each watch --once compares with what the previous run recorded: what
// appeared, changed level or cleared is an event and one message; what
// stays the same (its figures moving) is neither, across restarts. A
// recovery quotes the item as it was last recorded.
func TestAttentionTransitions(t *testing.T) {
	f := newFixture(t)
	h := newHook(t)
	f.withNotify(t, h.URL)
	set := fakeChecks(t)
	disk := func(sev int, pct string) attention.Item {
		return attention.Item{Severity: sev, Area: attention.AreaOverview, Text: "disk / " + pct + "% full"}
	}
	mysql := attention.Item{Severity: attention.Crit, Area: attention.AreaDatabase, ID: "mysql no answer", Text: "MySQL does not answer: i/o timeout"}
	for i, step := range []struct {
		items []attention.Item
		want  []string
	}{
		{[]attention.Item{disk(attention.Warn, "86"), mysql}, []string{"warn disk / 86% full", "crit MySQL does not answer: i/o timeout"}},
		{[]attention.Item{disk(attention.Warn, "88"), mysql}, nil},
		{[]attention.Item{disk(attention.Crit, "97"), {Severity: attention.Crit, Area: attention.AreaDatabase, ID: "mysql no answer", Text: "MySQL does not answer: refused"}},
			[]string{"crit disk / 97% full"}},
		{[]attention.Item{disk(attention.Crit, "98")}, []string{"ok cleared: MySQL does not answer: i/o timeout"}},
		{[]attention.Item{disk(attention.Crit, "98"), {Severity: check.Unknown, Text: "no answer within 1s"}}, []string{"warn check failed: no answer within 1s"}},
		{[]attention.Item{disk(attention.Crit, "99"), {Severity: check.Unknown, Text: "host db1 unreachable: timeout 3s"}}, nil},
		{nil, []string{"ok cleared: disk / 97% full", "ok cleared: check failed: no answer within 1s"}},
	} {
		set(step.items...)
		if code, out := f.main("watch", "--once", "--no-guard"); code != 0 {
			t.Fatalf("step %d: watch --once: %d %s", i, code, out)
		}
		got := summary(h.take())
		if strings.Join(sorted(got), "\n") != strings.Join(sorted(step.want), "\n") {
			t.Errorf("step %d: sent %q, want %q", i, got, step.want)
		}
	}
	s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs, _ := s.Events(context.Background(), history.EventAttention, time.Unix(0, 0))
	if len(evs) != 7 {
		t.Errorf("%d attention events, want 7: %+v", len(evs), evs)
	}
	if e := evs[0]; e.Source != "fake" || !strings.HasPrefix(e.Subject, "fake/") {
		t.Errorf("first event %+v", e)
	}
	ns, _ := s.Events(context.Background(), history.EventNotify, time.Unix(0, 0))
	var sent, delivered int
	for _, e := range ns {
		switch {
		case e.Source == "message":
			sent++
		case e.Source == "hook" && strings.HasPrefix(e.Detail, "ok, 1 attempt"):
			delivered++
		}
	}
	if sent != 7 || delivered != 7 {
		t.Errorf("notify events: %d messages, %d delivered, want 7 and 7: %+v", sent, delivered, ns)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// A read-only guard changes nothing on the box but still says what it
// would have done, once, as a guard message.
func TestReadOnlyGuardNotifies(t *testing.T) {
	f := newFixture(t)
	h := newHook(t)
	f.withNotify(t, h.URL)
	fakeChecks(t)
	crontab, _ := os.ReadFile(f.dir + "/crontab")
	var got []notify.Message
	for range 5 { // guard.threshold is 3 probes
		f.main("--readonly", "watch", "--once")
		got = append(got, h.take()...)
	}
	if len(got) != 1 {
		t.Fatalf("%d guard messages from a read-only guard past its threshold, want 1: %+v", len(got), got)
	}
	m := got[0]
	if m.Kind != notify.KindGuard || m.Level != notify.LevelCrit || !m.Open || !strings.Contains(m.Text, "read-only: would run") {
		t.Errorf("guard message %+v", m)
	}
	if after, _ := os.ReadFile(f.dir + "/crontab"); string(after) != string(crontab) {
		t.Errorf("read-only changed the crontab:\n%s", after)
	}
}

func TestGuardMessage(t *testing.T) {
	env := &cli.Env{Cfg: config.Default()}
	h := host.NewLocal()
	for _, tc := range []struct {
		step  guard.Step
		level string
		open  bool
		sent  bool
	}{
		{guard.Step{Healthy: true}, "", false, false},
		{guard.Step{Healthy: false, Reason: "no answer"}, "", false, false},
		{guard.Step{Healthy: false, Reason: "no answer", Acted: true, Did: []string{"jobs.pause a: paused"}}, notify.LevelCrit, true, true},
		{guard.Step{Healthy: false, Did: []string{"read-only: would run jobs.pause a"}}, notify.LevelCrit, true, true},
		{guard.Step{Healthy: true, Acted: true, Did: []string{"jobs.resume a: resumed"}}, notify.LevelOK, false, true},
	} {
		m, sent := guardMessage(env, h, tc.step)
		if sent != tc.sent || m.Level != tc.level || m.Open != tc.open || (sent && (m.Kind != notify.KindGuard || !strings.Contains(m.Text, tc.step.Did[0]))) {
			t.Errorf("%+v: %v %+v", tc.step, sent, m)
		}
	}
}

// The product binary as a service, its real checks against the fixture
// (index-linux and MySQL down): a message whose delivery is still under
// way at SIGTERM is delivered and recorded before the service ends, and
// the service started again sends nothing the first one sent.
func TestServiceFlushesOnSIGTERMAndRestartSendsNothingTwice(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var got []notify.Message
	first := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		select {
		case first <- struct{}{}:
			time.Sleep(time.Second) // still answering when SIGTERM comes
		default:
		}
	}))
	defer srv.Close()
	f.withNotify(t, srv.URL)
	b, _ := os.ReadFile(f.cfg)
	// The probes stay on loopback (the default captcha URL would be looked up in DNS).
	b = append(b, []byte("[amazon]\ncaptcha_url = \"http://127.0.0.1:"+strconv.Itoa(freeport.For(t))+"/captcha\"\n")...)
	os.WriteFile(f.cfg, b, 0o644)
	bin := testbin.Build(t, "github.com/richs/richsops", filepath.Join(t.TempDir(), "richsops"))
	start := func() (*exec.Cmd, *bytes.Buffer) {
		w := exec.Command(bin, "--config", f.cfg, "watch", "--no-guard")
		var out bytes.Buffer
		w.Stdout, w.Stderr = &out, &out
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return w, &out
	}
	w, out := start()
	select {
	case <-first:
	case <-time.After(20 * time.Second):
		w.Process.Kill()
		w.Wait()
		t.Fatalf("no message within 20s:\n%s", out)
	}
	w.Process.Signal(syscall.SIGTERM)
	if err := w.Wait(); err != nil {
		t.Fatalf("watch after SIGTERM: %v\n%s", err, out)
	}
	mu.Lock()
	sent := len(got)
	mu.Unlock()
	s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := s.Events(context.Background(), history.EventNotify, time.Unix(0, 0))
	s.Close()
	delivered := 0
	for _, e := range evs {
		if e.Source == "hook" && strings.HasPrefix(e.Detail, "ok") {
			delivered++
		}
	}
	if delivered != sent || sent == 0 {
		t.Errorf("%d messages received, %d deliveries recorded: the stop did not flush\n%+v\n%s", sent, delivered, evs, out)
	}

	w, out = start()
	time.Sleep(4 * time.Second) // a few passes at watch.interval 1s
	w.Process.Signal(syscall.SIGTERM)
	w.Wait()
	mu.Lock()
	defer mu.Unlock()
	// A check may flap meanwhile (the machine's load): what must not come
	// again is a problem still open at the level already sent.
	open := map[string]string{}
	for _, m := range got[:sent] {
		if m.Open {
			open[m.Subject] = m.Level
		} else {
			delete(open, m.Subject)
		}
	}
	for _, m := range got[sent:] {
		if m.Open && open[m.Subject] == m.Level {
			t.Errorf("the restarted service sent again: %+v\n%s", m, out)
		}
	}
}

// watch --once from cron repeats a still-open CRIT once its repeat has
// passed since it was last sent (not since it opened), and then not again
// until the next repeat.
func TestOnceRepeatsOpenCrit(t *testing.T) {
	f := newFixture(t)
	type msg struct {
		notify.Message
		Repeat bool `json:"repeat"`
	}
	got := make(chan msg, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m msg
		json.NewDecoder(r.Body).Decode(&m)
		got <- m
	}))
	defer srv.Close()
	f.withNotify(t, srv.URL)
	b, _ := os.ReadFile(f.cfg)
	os.WriteFile(f.cfg, append(b, []byte("repeat = \"1m\"\n")...), 0o644) // the [[notify]] block is last
	set := fakeChecks(t)
	set(attention.Item{Severity: attention.Crit, Text: "disk / 97% full"})
	age := func(d time.Duration) { // the recorded past moves back by d
		s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.DB().Exec(`UPDATE events SET ts_ms = ts_ms - ?`, d.Milliseconds()); err != nil {
			t.Fatal(err)
		}
	}
	pass := func() []string {
		if code, out := f.main("watch", "--once", "--no-guard"); code != 0 {
			t.Fatalf("watch --once: %d %s", code, out)
		}
		var out []string
		for {
			select {
			case m := <-got:
				s := m.Level
				if m.Repeat {
					s += " repeat"
				}
				out = append(out, s)
			default:
				return out
			}
		}
	}
	for i, step := range []struct {
		age  time.Duration
		want string
	}{
		{0, "crit"},
		{0, ""},
		{90 * time.Second, "crit repeat"},
		{30 * time.Second, ""}, // a minute and a half since it opened, half a minute since the repeat
		{40 * time.Second, "crit repeat"},
	} {
		age(step.age)
		if got := strings.Join(pass(), ","); got != step.want {
			t.Errorf("step %d: sent %q, want %q", i, got, step.want)
		}
	}
}

// stopOnFirst is a Sink that stops the service (cancels its context) at
// the first message of a pass.
type stopOnFirst struct {
	stop func()
	n    int
}

func (s *stopOnFirst) Notify(notify.Message) {
	s.n++
	s.stop()
}

// A stop in the middle of a pass still records all of it: else the next
// start took the unrecorded items for new and sent them again.
func TestAttentionPassRecordsAllWhenStopped(t *testing.T) {
	f := newFixture(t)
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	set := fakeChecks(t)
	set(attention.Item{Severity: attention.Crit, Text: "a"}, attention.Item{Severity: attention.Crit, Text: "b"}, attention.Item{Severity: attention.Warn, Text: "c"})
	env := &cli.Env{Cfg: cfg, Stderr: io.Discard}
	svc := &service{env: env}
	if svc.open(context.Background()) == nil {
		t.Fatal(svc.lastErr)
	}
	defer svc.store.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &stopOnFirst{stop: cancel}
	x := &interlockEnv{Env: env, Host: host.NewLocal(), Sink: sink, svc: svc}
	attentionPass(ctx, x, attentionState{})
	evs, _ := svc.store.Events(context.Background(), history.EventAttention, time.Unix(0, 0))
	if len(evs) != 3 || sink.n != 3 {
		t.Errorf("%d events recorded, %d messages, want 3 and 3: %+v", len(evs), sink.n, evs)
	}
	if st := loadAttention(context.Background(), x); len(st) != 3 {
		t.Errorf("the next start loads %d open items, want 3", len(st))
	}
}

// The forecast's levels are the forecast interlock's messages, not the
// attention pass's too; every other source is in the pass.
func TestChecksLeaveOutForecast(t *testing.T) {
	var names []string
	for _, c := range checks() {
		names = append(names, c.Name)
	}
	if len(names) != len(check.All())-1 || slices.Contains(names, check.SrcForecast) || !slices.Contains(names, check.SrcDB) {
		t.Errorf("checks %v", names)
	}
}
