package notify

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// receiver is a real HTTP server on loopback that keeps every POST body.
type receiver struct {
	*httptest.Server
	got chan []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: make(chan []byte, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if req.Method != http.MethodPost || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		r.got <- b
	}))
	t.Cleanup(r.Close)
	return r
}

// next is the next body within d, or fails the test.
func (r *receiver) next(t *testing.T, d time.Duration) []byte {
	t.Helper()
	select {
	case b := <-r.got:
		return b
	case <-time.After(d):
		t.Fatalf("nothing received within %s", d)
		return nil
	}
}

// none checks that nothing arrives within d.
func (r *receiver) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case b := <-r.got:
		t.Fatalf("unexpected message: %s", b)
	case <-time.After(d):
	}
}

// events collects what the dispatcher records.
type events struct {
	mu  sync.Mutex
	all []history.Event
}

func (e *events) add(ev history.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) find(source, detailPrefix string) []history.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []history.Event
	for _, ev := range e.all {
		if ev.Source == source && strings.HasPrefix(ev.Detail, detailPrefix) {
			out = append(out, ev)
		}
	}
	return out
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hookBlock is a [[notify]] webhook target named name, with extra keys.
func hookBlock(name, url, extra string) string {
	return fmt.Sprintf("[[notify]]\nname = %q\nkind = \"webhook\"\nurl = %q\n%s\n", name, url, extra)
}

func parseCfg(t *testing.T, toml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// clock is a settable time for repeats.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func start(t *testing.T, cfg *config.Config, o Options) (*Dispatcher, *events) {
	ev := &events{}
	o.Cfg, o.Record = cfg, ev.add
	if o.Backoff == 0 {
		o.Backoff = 20 * time.Millisecond
	}
	if o.RepeatEvery == 0 {
		o.RepeatEvery = -1
	}
	d := New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Close(ctx)
	})
	return d, ev
}

var crit = Message{Time: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), Level: LevelCrit, Kind: KindAttention,
	Subject: "host: disk / #% full", Host: "db1.example", Text: "disk / 97% full", Open: true}

func TestWebhookJSONAndSlack(t *testing.T) {
	j, s := newReceiver(t), newReceiver(t)
	cfg := parseCfg(t, hookBlock("hook", j.URL, "")+hookBlock("chat", s.URL, `format = "slack"`))
	d, ev := start(t, cfg, Options{})
	d.Notify(crit)
	d.Notify(crit) // said again: no transition, neither sent nor recorded

	var got payload
	if err := json.Unmarshal(j.next(t, 5*time.Second), &got); err != nil {
		t.Fatal(err)
	}
	if got.Level != LevelCrit || got.Kind != KindAttention || got.Subject != crit.Subject || got.Host != "db1.example" || !got.Open || got.Repeat {
		t.Errorf("json payload = %+v", got)
	}
	var chat map[string]string
	if err := json.Unmarshal(s.next(t, 5*time.Second), &chat); err != nil {
		t.Fatal(err)
	}
	if want := "[CRIT] db1.example: disk / 97% full"; chat["text"] != want || len(chat) != 1 {
		t.Errorf("slack payload = %q, want only text %q", chat, want)
	}
	waitFor(t, 5*time.Second, "delivery events", func() bool {
		return len(ev.find("hook", "ok, 1 attempt")) == 1 && len(ev.find("chat", "ok, 1 attempt")) == 1
	})
	j.none(t, 50*time.Millisecond)
	if m := ev.find("message", ""); len(m) != 1 || m[0].Kind != history.EventNotify || m[0].Level != LevelCrit {
		t.Errorf("message events = %+v", m)
	}
}

// smtpReceiver is an SMTP server on loopback, enough of one for a relay
// client: EHLO/HELO, MAIL, RCPT, DATA, QUIT.
type smtpReceiver struct {
	addr string
	got  chan mail
}

type mail struct {
	from string
	to   []string
	data string
}

func newSMTP(t *testing.T) *smtpReceiver {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &smtpReceiver{addr: l.Addr().String(), got: make(chan mail, 10)}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpReceiver) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test ESMTP")
	var m mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			say("250 test")
		case "HELO":
			say("250 test")
		case "MAIL":
			m.from = strings.TrimPrefix(line[len("MAIL FROM:"):], "")
			say("250 ok")
		case "RCPT":
			m.to = append(m.to, line[len("RCPT TO:"):])
			say("250 ok")
		case "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = b.String()
			s.got <- m
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not here")
		}
	}
}

func TestMailJapanese(t *testing.T) {
	srv := newSMTP(t)
	cfg := parseCfg(t, fmt.Sprintf(`
lang = "ja"
[[notify]]
kind = "mail"
smtp = %q
from = "richsops@db1.example"
to = ["ops@example.com", "oncall@example.com"]
`, srv.addr))
	d, ev := start(t, cfg, Options{})
	m := crit
	m.Text = "DB ディスク / 使用率 97%"
	d.Notify(m)
	var got mail
	select {
	case got = <-srv.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no mail within 5s")
	}
	if got.from != "<richsops@db1.example>" || strings.Join(got.to, " ") != "<ops@example.com> <oncall@example.com>" {
		t.Errorf("envelope = %q %q", got.from, got.to)
	}
	head, body, ok := strings.Cut(got.data, "\r\n\r\n")
	if !ok {
		t.Fatalf("no header end in %q", got.data)
	}
	hdr := map[string]string{}
	for _, l := range strings.Split(head, "\r\n") {
		k, v, _ := strings.Cut(l, ": ")
		hdr[k] = v
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(hdr["Subject"])
	if err != nil {
		t.Fatal(err)
	}
	if subject != "richsops CRIT: host: disk / #% full @ db1.example" {
		t.Errorf("Subject = %q (raw %q)", subject, hdr["Subject"])
	}
	for k, want := range map[string]string{"From": "richsops@db1.example", "To": "ops@example.com, oncall@example.com",
		"MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "base64"} {
		if hdr[k] != want {
			t.Errorf("%s = %q, want %q", k, hdr[k], want)
		}
	}
	text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\r\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[CRIT] db1.example: DB ディスク / 使用率 97%", "レベル: CRIT", "ホスト: db1.example"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("body lacks %q:\n%s", want, text)
		}
	}
	waitFor(t, 5*time.Second, "delivery event", func() bool { return len(ev.find("mail", "ok, 1 attempt")) == 1 })
}

func TestCommandGetsMessageOnStdin(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "got")
	script := filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n{ echo \"$RICHSOPS_LEVEL $RICHSOPS_KIND $RICHSOPS_OPEN\"; cat; } > \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := parseCfg(t, fmt.Sprintf(`
[[notify]]
name = "script"
kind = "command"
command = [%q, %q]
`, script, out))
	d, ev := start(t, cfg, Options{})
	d.Notify(crit)
	waitFor(t, 5*time.Second, "delivery event", func() bool { return len(ev.find("script", "ok")) == 1 })
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "crit attention 1\n[CRIT] db1.example: disk / 97% full\n"; !strings.HasPrefix(string(b), want) {
		t.Errorf("the script got %q, want it to start with %q", b, want)
	}
}

// A target that hangs and one that refuses delay neither the caller nor
// the good target; both are retried and their failure recorded.
func TestHangingAndRefusingTargets(t *testing.T) {
	good := newReceiver(t)
	refused := freeport.For(t)
	cfg := parseCfg(t, hookBlock("hangs", "http://"+freeport.Silent(t).String()+"/hook", "timeout = \"300ms\"\nretries = 2")+fmt.Sprintf(`
[[notify]]
name = "refuses"
kind = "mail"
smtp = "127.0.0.1:%d"
from = "a@example.com"
to = ["b@example.com"]
timeout = "300ms"
retries = 2
`, refused)+hookBlock("good", good.URL, `timeout = "300ms"`))
	d, ev := start(t, cfg, Options{})
	begin := time.Now()
	for i := range 3 {
		m := crit
		m.Subject = fmt.Sprintf("item %d", i)
		d.Notify(m)
	}
	if el := time.Since(begin); el > 100*time.Millisecond {
		t.Errorf("Notify took %s with a hanging target", el)
	}
	for range 3 {
		good.next(t, 2*time.Second)
	}
	waitFor(t, 10*time.Second, "the failures recorded", func() bool {
		return len(ev.find("hangs", "failed after 3 attempt(s)")) == 3 && len(ev.find("refuses", "failed after 3 attempt(s)")) == 3
	})
	if e := ev.find("refuses", "failed")[0]; !strings.Contains(e.Detail, "refused") || e.Level != LevelWarn || e.Subject != "attention: item 0" {
		t.Errorf("refused event = %+v", e)
	}
}

func TestFullQueueDropsOldest(t *testing.T) {
	cfg := parseCfg(t, hookBlock("hangs", "http://"+freeport.Silent(t).String()+"/hook", "timeout = \"1s\"\nretries = 0"))
	d, ev := start(t, cfg, Options{Queue: 2})
	for i := range 6 {
		m := crit
		m.Subject = fmt.Sprintf("item %d", i)
		d.Notify(m)
		time.Sleep(20 * time.Millisecond) // the first is taken out and hangs
	}
	waitFor(t, 2*time.Second, "drop events", func() bool { return len(ev.find("hangs", "dropped")) == 3 })
	if got := ev.find("hangs", "dropped")[0].Subject; got != "attention: item 1" {
		t.Errorf("first dropped = %q, want the oldest waiting (item 1)", got)
	}
}

// The transition rules, per target's min_level, with the clock moved for
// the repeat.
func TestTransitions(t *testing.T) {
	at := func(level string, open bool) Message {
		m := crit
		m.Level, m.Open = level, open
		return m
	}
	type step struct {
		m       *Message      // nil: move the clock and look for repeats
		advance time.Duration // before the step
		want    []string      // levels received by the crit and the warn target
		wantW   []string
	}
	warn, cr, ok := at(LevelWarn, true), at(LevelCrit, true), at(LevelOK, false)
	oneOff := at(LevelCrit, false)
	oneOff.Kind, oneOff.Subject = KindBrake, "check_item_mercari"
	for _, tc := range []struct {
		name  string
		seed  *Message
		steps []step
	}{
		{name: "new crit once, repeat after 6h, recovery", steps: []step{
			{m: &cr, want: []string{"crit"}, wantW: []string{"crit"}},
			{m: &cr},
			{advance: 5 * time.Hour},
			{advance: time.Hour, want: []string{"crit repeat"}, wantW: []string{"crit repeat"}},
			{advance: time.Hour},
			{m: &ok, want: []string{"ok"}, wantW: []string{"ok"}},
			{m: &ok},
			{advance: 7 * time.Hour},
		}},
		{name: "warn below min_level, then crit, back to warn, ok", steps: []step{
			{m: &warn, wantW: []string{"warn"}},
			{m: &warn},
			{m: &cr, want: []string{"crit"}, wantW: []string{"crit"}},
			{m: &warn, want: []string{"warn"}, wantW: []string{"warn"}},
			{advance: 7 * time.Hour}, // warn does not repeat
			{m: &ok, want: []string{"ok"}, wantW: []string{"ok"}},
		}},
		{name: "a warn never sent has no recovery for the crit target", steps: []step{
			{m: &warn, wantW: []string{"warn"}},
			{m: &ok, wantW: []string{"ok"}},
		}},
		{name: "one-off sent once each time", steps: []step{
			{m: &oneOff, want: []string{"crit"}, wantW: []string{"crit"}},
			{advance: 7 * time.Hour},
		}},
		{name: "seeded after a restart: no re-send, repeat from the last send, recovery", seed: &cr, steps: []step{
			{m: &cr},
			{advance: 5 * time.Hour},
			{advance: time.Hour, want: []string{"crit repeat"}, wantW: []string{"crit repeat"}},
			{m: &ok, want: []string{"ok"}, wantW: []string{"ok"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, rw := newReceiver(t), newReceiver(t)
			cfg := parseCfg(t, hookBlock("crit", rc.URL, "")+hookBlock("warn", rw.URL, `min_level = "warn"`))
			clk := &clock{now: crit.Time}
			d, _ := start(t, cfg, Options{Now: clk.Now})
			if tc.seed != nil {
				// Open for 10 h, last sent (a repeat) at the start.
				first := *tc.seed
				first.Time = clk.Now().Add(-10 * time.Hour)
				d.Seed(first, clk.Now())
			}
			for i, s := range tc.steps {
				clk.add(s.advance)
				if s.m != nil {
					d.Notify(*s.m)
				}
				d.RepeatDue()
				for _, c := range []struct {
					r    *receiver
					want []string
				}{{rc, s.want}, {rw, s.wantW}} {
					for _, w := range c.want {
						var p payload
						if err := json.Unmarshal(c.r.next(t, 5*time.Second), &p); err != nil {
							t.Fatal(err)
						}
						got := p.Level
						if p.Repeat {
							got += " repeat"
						}
						if got != w {
							t.Errorf("step %d: got %q, want %q", i, got, w)
						}
					}
					c.r.none(t, 30*time.Millisecond)
				}
			}
		})
	}
}

// Close waits for what is queued, retries included.
func TestCloseFlushes(t *testing.T) {
	r := newReceiver(t)
	fails := 1
	var mu sync.Mutex
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		r.Config.Handler.ServeHTTP(w, req) // hand it to the receiver
	}))
	defer flaky.Close()
	cfg := parseCfg(t, fmt.Sprintf(`
[[notify]]
name = "flaky"
kind = "webhook"
url = %q
`, flaky.URL))
	ev := &events{}
	d := New(Options{Cfg: cfg, Record: ev.add, Backoff: 50 * time.Millisecond, RepeatEvery: -1})
	d.Notify(crit)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.Close(ctx)
	r.next(t, 0+time.Millisecond)
	if e := ev.find("flaky", "ok, 2 attempt"); len(e) != 1 {
		t.Errorf("events = %+v", ev.all)
	}
	d.Notify(crit) // after Close: dropped, no panic
}

// The commented [[notify]] blocks of config.example.toml, uncommented, are
// a valid configuration of one target of each kind.
func TestExampleBlocksAreValid(t *testing.T) {
	b, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "# [[notify]]")
	if i < 0 {
		t.Fatal("no commented [[notify]] example")
	}
	var toml []string
	for _, l := range strings.Split(s[i:], "\n") {
		if l != "#" && !strings.HasPrefix(l, "# ") {
			break
		}
		toml = append(toml, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
	}
	cfg := parseCfg(t, strings.Join(toml, "\n"))
	var kinds []string
	for _, n := range cfg.Notify {
		kinds = append(kinds, n.Kind)
	}
	if strings.Join(kinds, " ") != "webhook mail command" {
		t.Errorf("example kinds %v", kinds)
	}
}

// Resume picks up from the recorded events: what is open is not sent
// again, its recovery and its repeat (counted from its newest event) are;
// a recovered problem and a one-off open nothing.
func TestResume(t *testing.T) {
	r := newReceiver(t)
	cfg := parseCfg(t, hookBlock("hook", r.URL, `min_level = "warn"`))
	clk := &clock{now: crit.Time}
	d, _ := start(t, cfg, Options{Now: clk.Now})
	t0 := clk.Now().Add(-8 * time.Hour)
	ev := func(ago time.Duration, source, subject, level string) history.Event {
		return history.Event{Time: t0.Add(ago), Kind: history.EventNotify, Source: source, Subject: subject, Level: level, Detail: "was " + level}
	}
	d.Resume([]history.Event{
		ev(0, SourceMessage, "attention: disk", LevelWarn),
		ev(time.Minute, SourceMessage, "attention: disk", LevelCrit),
		ev(time.Minute, "hook", "attention: disk", LevelOK),
		ev(4*time.Hour, "hook", "attention: disk", LevelOK), // a repeat delivered 4 h ago
		ev(0, SourceMessage, "hold: yahoo", LevelWarn),
		ev(time.Hour, SourceMessage, "hold: yahoo", LevelOK),
		ev(0, SourceOneOff, "brake: check_item_mercari", LevelCrit),
		ev(0, SourceMessage, "catch-up: x", LevelCrit),
		ev(time.Hour, SourceOneOff, "catch-up: x", LevelWarn), // ended at a level: nothing open
	}, "db1.example")
	msg := func(kind, subject, level string, open bool) Message {
		return Message{Level: level, Kind: kind, Subject: subject, Open: open}
	}
	d.Notify(msg(KindAttention, "disk", LevelCrit, true))
	d.Notify(msg(KindHold, "yahoo", LevelOK, false))
	d.Notify(msg(KindCatchUp, "x", LevelOK, false))
	d.RepeatDue() // 4 h since the last send: not yet
	r.none(t, 100*time.Millisecond)
	clk.add(2 * time.Hour)
	d.RepeatDue()
	var p payload
	json.Unmarshal(r.next(t, 5*time.Second), &p)
	if !p.Repeat || p.Subject != "disk" || p.Level != LevelCrit || p.Host != "db1.example" {
		t.Errorf("repeat = %+v", p)
	}
	d.Notify(msg(KindAttention, "disk", LevelOK, false))
	json.Unmarshal(r.next(t, 5*time.Second), &p)
	if p.Level != LevelOK || p.Subject != "disk" {
		t.Errorf("recovery = %+v", p)
	}
	r.none(t, 100*time.Millisecond)
}
