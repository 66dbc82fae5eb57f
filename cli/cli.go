// Package cli is richsops' command line: global flags that work before or
// after the subcommand, a registry of subcommands, and Env.Do, which sends an
// action through the gate after asking on the terminal (unless --yes).
package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
)

// Exit codes. 2 is also "config invalid", as `config check` promises.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// Globals are the flags every subcommand accepts, anywhere on the line.
type Globals struct {
	Config   string
	ReadOnly bool
	Host     string
	Yes      bool
	JSON     bool
	Lang     string
	Help     bool
}

// Env is what a subcommand runs with.
type Env struct {
	Globals
	Cfg    *config.Config
	Gate   *gate.Gate
	Hosts  *host.Registry
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Host is the host chosen by --host (or config `host`).
func (e *Env) Host() (host.Host, error) {
	name := e.Globals.Host
	if name == "" {
		name = e.Cfg.Host
	}
	return e.Hosts.Get(name)
}

// Command is one subcommand ("jobs", "db", "tail", ...).
type Command struct {
	Name    string
	Summary string // one line for --help
	Usage   string // full usage text, printed by NAME --help
	// SummaryJa and UsageJa are the same in Japanese ("" = the English).
	SummaryJa, UsageJa string
	// NoConfig commands run without loading the config (version, richsops-demo).
	NoConfig bool
	// Raw commands sanitize all they print on stdout themselves (tail,
	// whose throughput counts): it skips the display sanitizer's Writer
	// that every other command with a config writes through (stderr
	// always does).
	Raw bool
	// NoJSON commands have no machine-readable output (the console, a
	// followed log): --json is refused as bad usage, never ignored.
	NoJSON bool
	Run    func(env *Env, args []string) error
}

var commands = map[string]Command{}

// Register adds a subcommand. Domain packages call it from init().
func Register(c Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// Commands lists the registered subcommands by name.
func Commands() []Command {
	out := make([]Command, 0, len(commands))
	for _, c := range commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a registered subcommand.
func Lookup(name string) (Command, bool) {
	c, ok := commands[name]
	return c, ok
}

// UsageError makes the command exit 2 with the message and its usage.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Usagef is a UsageError.
func Usagef(format string, a ...any) error { return UsageError{Msg: fmt.Sprintf(format, a...)} }

// UsageT is a UsageError in the language t picks (config.Errorf's rules).
func UsageT(t func(en, ja string) string, en, ja string, a ...any) error {
	return UsageError{Msg: config.Errorf(t, en, ja, a...).Error()}
}

// SummaryT is the command's one-line summary in t's language.
func (c Command) SummaryT(t func(en, ja string) string) string {
	return orEn(t, c.Summary, c.SummaryJa)
}

// UsageTextT is the command's usage in t's language.
func (c Command) UsageTextT(t func(en, ja string) string) string { return orEn(t, c.Usage, c.UsageJa) }

func orEn(t func(en, ja string) string, en, ja string) string {
	if ja == "" {
		return en
	}
	return config.Tr(t, en, ja)
}

// ExitError ends the command with a specific exit code (check's 0/1/2).
type ExitError struct {
	Code int
	Err  error // may be nil: the output already said it
}

func (e ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

// SplitGlobals takes the global flags out of args wherever they are and
// returns the rest in order. "--" ends flag parsing.
func SplitGlobals(args []string) (Globals, []string, error) {
	var g Globals
	var rest []string
	value := func(i *int, name string) (string, error) {
		a := args[*i]
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, nil
		}
		if *i+1 >= len(args) {
			return "", fmt.Errorf("%s needs a value", name)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		var err error
		switch {
		case a == "--config" || strings.HasPrefix(a, "--config="):
			g.Config, err = value(&i, "--config")
		case a == "--host" || strings.HasPrefix(a, "--host="):
			g.Host, err = value(&i, "--host")
		case a == "--lang" || strings.HasPrefix(a, "--lang="):
			g.Lang, err = value(&i, "--lang")
		case a == "--readonly" || a == "--read-only":
			g.ReadOnly = true
		case a == "--yes" || a == "-y":
			g.Yes = true
		case a == "--json":
			g.JSON = true
		case a == "--help" || a == "-h":
			g.Help = true
		default:
			rest = append(rest, a)
		}
		if err != nil {
			return g, nil, err
		}
	}
	return g, rest, nil
}

// LoadConfig loads the config the globals point at and applies --readonly,
// --lang. Problems come back as config.Problems.
func LoadConfig(g Globals) (*config.Config, error) {
	cfg, err := config.Load(config.Locate(g.Config))
	if err != nil {
		return nil, err
	}
	if g.ReadOnly {
		cfg.ReadOnly = true
	}
	if g.Lang != "" {
		cfg.Lang = g.Lang
	}
	return cfg, nil
}

// NewEnv builds the Env for a loaded config.
func NewEnv(g Globals, cfg *config.Config) *Env {
	env := &Env{
		Globals: g,
		Cfg:     cfg,
		Gate:    gate.New(cfg.ReadOnly, cfg.AuditLog),
		Hosts:   NewHosts(cfg),
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	}
	for _, f := range envHooks {
		f(env)
	}
	return env
}

// envHooks run on every new Env; see OnNewEnv.
var envHooks []func(*Env)

// OnNewEnv adds f to what NewEnv does to each Env it builds. It connects the
// domains that only meet at run time (guardcmd: the Mercari guard of jobs
// asks health), so that a binary without them does not link them.
func OnNewEnv(f func(*Env)) { envHooks = append(envHooks, f) }

// NewHosts builds the host registry; the SSH issue sets NewRemote here.
var NewHosts = func(cfg *config.Config) *host.Registry { return host.NewRegistry(cfg) }

// ErrDeclined is returned when the operator answers no.
var ErrDeclined = errors.New("not confirmed; nothing was done")

// shown is err as the operator reads it on the terminal: the sentinels
// whose text is the whole message (ErrDeclined, gate.ErrReadOnly) in the
// configured language; they stay the sentinels for errors.Is.
func (e *Env) shown(err error) string {
	if err == ErrDeclined {
		return e.Cfg.T(err.Error(), "確認されませんでした。何もしていません")
	}
	return gate.Shown(err, e.Cfg.T)
}

// Do shows what the action will run, asks (unless --yes), and sends it
// through the gate. It prints the outcome and returns the gate's error.
func (e *Env) Do(a gate.Action) (gate.Result, error) {
	w := e.Stderr
	fmt.Fprintf(w, "%s %s", a.Name, sanitize.String(a.Target))
	if !host.IsLocalName(a.Host) {
		fmt.Fprintf(w, e.Cfg.T(" on %s", "（ホスト %s）"), a.Host)
	}
	fmt.Fprintln(w)
	for _, l := range a.Preview {
		fmt.Fprintf(w, "  %s\n", sanitize.String(l))
	}
	if len(a.Argv) > 0 && len(a.Preview) == 0 {
		fmt.Fprintf(w, "  %s %s\n", e.Cfg.T("runs:", "実行:"), host.ShellQuote(a.Argv))
	}
	var res gate.Result
	// Read-only: no question; the gate refuses it (and audits that).
	if !e.Gate.ReadOnly && (!e.Yes || a.Danger != "") {
		if a.Danger != "" && e.Yes {
			// --yes does not cover a typed confirmation; --force-word does.
			if os.Getenv("RICHSOPS_CONFIRM") != a.Danger {
				res.Err = config.Errorf(e.Cfg.T, "this needs a typed confirmation: run interactively, or set RICHSOPS_CONFIRM=%s",
					"確認の入力が必要です: 対話的に実行するか、RICHSOPS_CONFIRM=%s を設定してください", a.Danger)
			}
		} else if !e.ask(a) {
			res.Err = ErrDeclined
		}
	}
	if res.Err != nil { // not run: nothing for the gate
		if e.JSON {
			e.PrintJSON(resultJSON(gate.Result{Action: a.Name, Target: a.Target, Err: res.Err}))
		}
		return gate.Result{}, res.Err
	}
	res = e.Gate.Do(nilCtx(), a)
	if e.JSON {
		if err := e.PrintJSON(resultJSON(res)); err != nil {
			return res, err
		}
		return res, res.Err
	}
	if res.Err != nil && !errors.Is(res.Err, gate.ErrReadOnly) { // that one is the whole message
		fmt.Fprintf(w, "%s %s\n", e.Cfg.T("failed:", "失敗:"), sanitize.String(res.Err.Error()))
	} else if res.Err == nil {
		fmt.Fprintf(e.Stdout, "%s\n", sanitize.String(res.Outcome.Summary))
	}
	for _, d := range res.Outcome.Details {
		fmt.Fprintf(e.Stdout, "  %s\n", sanitize.String(d))
	}
	return res, res.Err
}

// ActionJSON is what an action prints with --json: the gate's result.
type ActionJSON struct {
	Action   string        `json:"action"`
	Target   string        `json:"target"`
	OK       bool          `json:"ok"`
	Summary  string        `json:"summary"`
	Details  []string      `json:"details"` // each step's own result
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_s"`
}

func resultJSON(r gate.Result) ActionJSON {
	j := ActionJSON{Action: r.Action, Target: r.Target, OK: r.Err == nil, Summary: r.Outcome.Summary, Details: r.Outcome.Details, Duration: r.Duration}
	if r.Err != nil {
		j.Error = r.Err.Error()
	}
	return j
}

// NothingToDo says that an action had nothing to act on (no process to
// kill, no binary log to purge): success, exit 0, so that a script can
// repeat it. With --json it is an ActionJSON with ok true.
func (e *Env) NothingToDo(action, target, en, ja string) error {
	msg := e.Cfg.T(en, ja)
	if e.JSON {
		return e.PrintJSON(ActionJSON{Action: action, Target: target, OK: true, Summary: msg})
	}
	fmt.Fprintln(e.Stdout, sanitize.String(msg))
	return nil
}

func (e *Env) ask(a gate.Action) bool {
	r := bufio.NewReader(e.Stdin)
	if a.Danger != "" {
		fmt.Fprintf(e.Stderr, e.Cfg.T("Type %q to go ahead: ", "実行するには %q と入力: "), a.Danger)
		line, _ := r.ReadString('\n')
		return strings.TrimSpace(line) == a.Danger
	}
	fmt.Fprint(e.Stderr, e.Cfg.T("Go ahead? [y/N] ", "実行しますか? [y/N] "))
	line, _ := r.ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// PrintJSON writes v as indented JSON to stdout by the rules of json.go
// (snake_case keys, [] for empty lists, durations in seconds), with the
// characters a terminal would act on that encoding/json leaves raw as \u
// escapes.
func (e *Env) PrintJSON(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonValue(reflect.ValueOf(v))); err != nil {
		return err
	}
	_, err := e.Stdout.Write(sanitize.JSON(b.Bytes()))
	return err
}
