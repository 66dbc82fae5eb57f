// Package gate is the single door every change goes through: it refuses the
// change in read-only mode, writes an audit record before and after, and
// returns a result the UI and the CLI show.
package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/richs/richsops/ops/host"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
)

// ErrReadOnly is the error of every action attempted in read-only mode.
var ErrReadOnly = errors.New("read-only mode: changes are disabled")

// Shown is err as the operator reads it, in t's language (a Config's T;
// nil = English): ErrReadOnly, a sentinel whose text is the whole message,
// translated where it is shown (it stays the sentinel for errors.Is and the
// audit log); any other error as it says itself.
func Shown(err error, t func(en, ja string) string) string {
	if err == ErrReadOnly {
		return config.Tr(t, err.Error(), "読み取り専用モード: 変更はできません")
	}
	return err.Error()
}

// Action is one named change. Preview says exactly what will run; Run does it.
type Action struct {
	Name   string   // e.g. "jobs.pause"
	Target string   // e.g. "check_item_mercari"
	Host   string   // where it acts; "" = local
	Argv   []string // the command it runs, when it is one command
	// Preview lines shown in the confirm dialog and on the terminal prompt:
	// the exact commands, files, pids and bytes concerned.
	Preview []string
	// Danger asks for a typed confirmation: the operator must type this word.
	Danger string
	// Actor is who asks for it when it is not the operator at a terminal
	// ("guard"): the audit log says so, and the Jobs tab tells who paused.
	Actor string
	// Run does the change. It returns lines describing what happened.
	Run func(ctx context.Context) (Outcome, error)
}

// The actors that are not an operator at a terminal: the guard (in
// `richsops guard` or the watch service) and the watch service's other
// interlocks. A pause by one of them is its own: it says why, and only it
// (or an operator) resumes it.
const (
	ActorGuard   = "guard"
	ActorBrake   = "brake"       // mass withdrawal stopped
	ActorHold    = "amazon-hold" // Amazon-heavy jobs held during a block
	ActorCatchUp = "catch-up"    // a missed run started after a reboot
)

// Outcome is what an action reports back.
type Outcome struct {
	Summary string   // one line for the toast
	Details []string // each step's result
}

// Result is what Do returns to the caller.
type Result struct {
	Action   string
	Target   string
	Outcome  Outcome
	Err      error
	Duration time.Duration
}

// OK is true when the action ran and succeeded.
func (r Result) OK() bool { return r.Err == nil }

// Record is one JSON line of the audit log.
type Record struct {
	Time       time.Time `json:"time"`
	Phase      string    `json:"phase"` // start | end | refused
	User       string    `json:"user"`
	Host       string    `json:"host"`
	Action     string    `json:"action"`
	Actor      string    `json:"actor,omitempty"` // "" = the operator
	Target     string    `json:"target,omitempty"`
	Argv       []string  `json:"argv,omitempty"`
	Outcome    string    `json:"outcome,omitempty"` // ok | error | refused
	Summary    string    `json:"summary,omitempty"`
	Error      string    `json:"error,omitempty"`
	Written    bool      `json:"written,omitempty"` // an error after the change was made: the change stands
	DurationMS int64     `json:"duration_ms"`
	PID        int       `json:"pid"`
}

// Gate is the action gate. It is safe for concurrent use.
type Gate struct {
	ReadOnly bool
	Audit    string // path of the JSON lines file; "" = no audit (tests only)
	User     string // OS user; "" = looked up at the first action
	// Now is time.Now; tests replace it.
	Now func() time.Time
	// OnEnd, when set, gets each action's last audit record (its end, or
	// its refusal) after it is written: richsops' history records it.
	OnEnd func(Record)

	mu       sync.Mutex
	userOnce sync.Once
}

// New returns a gate writing to audit. The user is looked up when the
// first action is audited (it reads /etc/passwd): commands that change
// nothing, such as richsops tail, never pay for it.
func New(readOnly bool, audit string) *Gate {
	return &Gate{ReadOnly: readOnly, Audit: audit, Now: time.Now}
}

func (g *Gate) user() string {
	g.userOnce.Do(func() {
		if g.User == "" {
			g.User = osUser()
		}
	})
	return g.User
}

func osUser() string {
	name := "uid" + fmt.Sprint(os.Getuid())
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if su := os.Getenv("SUDO_USER"); su != "" {
		name += " (sudo by " + su + ")"
	}
	return name
}

// Do runs a through the gate. A refused action is audited too.
// The audit write before the action must succeed: an action that cannot be
// audited does not run.
func (g *Gate) Do(ctx context.Context, a Action) Result {
	res := Result{Action: a.Name, Target: a.Target}
	rec := Record{Time: g.Now(), User: g.user(), Host: hostName(a.Host), Action: a.Name, Actor: a.Actor, Target: a.Target, Argv: a.Argv, PID: os.Getpid()}
	if g.ReadOnly {
		rec.Phase, rec.Outcome, rec.Error = "refused", "refused", ErrReadOnly.Error()
		_ = g.write(rec)
		g.ended(rec)
		res.Err = ErrReadOnly
		return res
	}
	rec.Phase = "start"
	if err := g.write(rec); err != nil {
		res.Err = fmt.Errorf("audit log: %w (the action was not run)", err)
		return res
	}
	start := g.Now()
	var out Outcome
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("internal error: %v", p)
			}
		}()
		out, err = a.Run(context.WithValue(ctx, actorKey{}, a.Actor))
	}()
	res.Outcome, res.Err, res.Duration = out, err, g.Now().Sub(start)
	rec.Time, rec.Phase, rec.Summary = g.Now(), "end", out.Summary
	rec.DurationMS = res.Duration.Milliseconds()
	rec.Outcome = "ok"
	if err != nil {
		rec.Outcome, rec.Error = "error", english(err)
		var w interface{ Written() bool }
		rec.Written = errors.As(err, &w) && w.Written()
	}
	if werr := g.write(rec); werr != nil && res.Err == nil {
		res.Err = fmt.Errorf("action done, but the audit log failed: %w", werr)
	}
	g.ended(rec)
	return res
}

type actorKey struct{}

// ActorFrom is the Actor of the action whose Run got ctx ("" = an operator).
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

func (g *Gate) ended(rec Record) {
	if g.OnEnd != nil {
		g.OnEnd(rec)
	}
}

// english is err's text for the audit log, which stays in English: an
// error shown in the operator's language (config.Errorf) carries its
// English text.
func english(err error) string {
	if e, ok := err.(interface{ English() string }); ok {
		return e.English()
	}
	return err.Error()
}

func hostName(h string) string {
	if h == "" {
		return host.LocalName
	}
	return h
}

func (g *Gate) write(r Record) error {
	if g.Audit == "" {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(g.Audit), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(g.Audit, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(r)
	line = append(line, '\n')
	if _, err := f.Write(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadAudit returns the records of an audit log, oldest first.
func ReadAudit(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var r Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return out, fmt.Errorf("%s: bad line: %w", path, err)
		}
		out = append(out, r)
	}
	return out, nil
}
