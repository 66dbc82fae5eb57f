// Package tailcmd is `richsops tail`: the Logs tab's engine headless, so it
// can stand beside GNU tail (same sanitizing and line cap as the panes).
package tailcmd

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"github.com/richs/richsops/ops/host"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/logtail"
)

const usage = `richsops tail [-n N] [-F] FILE|NAME

Print the last N lines (default 10) of FILE, or of the configured [[logs]]
entry NAME, with control bytes shown as escapes (\x1b) and lines longer than
logview.max_line_bytes cut (marked "` + logtail.CutMark + `").
  -n N   how many lines to print first (default 10)
  -F     keep following: new lines as they are written, through rename
         rotation, copytruncate and delete/recreate; waits for a missing file
  -f     the same as -F
A log with host = "NAME" in the config (or --host) is followed with tail on
that host.`

const usageJa = `richsops tail [-n N] [-F] FILE|NAME

FILE、または設定の [[logs]] の NAME の末尾 N 行（既定 10）を表示します。制御
バイトはエスケープ（\x1b）で表示し、logview.max_line_bytes より長い行は切ります
（"` + logtail.CutMark + `" の印）。
  -n N   最初に表示する行数（既定 10）
  -F     追い続ける: 書き込まれた行を表示。rename によるローテーション、
         copytruncate、削除と再作成にも追随。ファイルがなければ待つ
  -f     -F と同じ
設定で host = "NAME" のログ（または --host）は、そのホストで tail します。`

func init() {
	cli.Register(cli.Command{Name: "tail", Summary: "print and follow a log like tail -F, sanitized", Usage: usage,
		SummaryJa: "ログを tail -F のように表示して追う（無害化して）", UsageJa: usageJa, Raw: true, NoJSON: true, Run: run})
}

// baseContext is the context -F runs in until ctrl+c; tests end it.
var baseContext = context.Background

// target is what to tail: a path on a host ("" = local).
type target struct {
	path, host string
}

func run(env *cli.Env, args []string) error {
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n := fs.Int("n", 10, "")
	followF := fs.Bool("F", false, "")
	followf := fs.Bool("f", false, "")
	if err := fs.Parse(args); err != nil {
		return cli.Usagef("tail: %v", err)
	}
	if fs.NArg() != 1 || *n < 0 {
		return cli.UsageT(env.Cfg.T, "tail: want [-n N] [-F] FILE|NAME", "tail: [-n N] [-F] FILE|NAME を指定してください")
	}
	follow := *followF || *followf
	t := resolve(env.Cfg, fs.Arg(0))
	if env.Globals.Host != "" {
		t.host = env.Globals.Host
	}
	maxLine := env.Cfg.LogView.MaxLineBytes
	out := newPrinter(env.Stdout, env.Stderr)
	out.tr = env.Cfg.T
	h, err := env.Hosts.Get(t.host)
	if err != nil {
		return err
	}
	src := logtail.Source{Path: t.path, Lines: *n, MaxLine: maxLine, Follow: follow}
	if name := host.RemoteName(h); name != "" {
		src.Label = name + ":" + t.path
	}
	if !follow {
		// A one-shot read: no signal handling to set up (it costs a thread),
		// clean lines written as read.
		ctx := context.Background()
		return out.finish(ctx, logtail.Tail(ctx, h, src, out))
	}
	ctx, stop := signal.NotifyContext(baseContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return out.finish(ctx, logtail.Tail(ctx, h, src, out))
}

// resolve reads arg as a configured log name unless a file of that name
// exists.
func resolve(cfg *config.Config, arg string) target {
	if _, err := os.Stat(arg); err == nil {
		return target{path: arg}
	}
	for _, l := range cfg.Logs {
		if l.Name == arg {
			return target{path: l.Path, host: l.Host}
		}
	}
	return target{path: arg}
}

// printer is the Sink that writes lines to stdout and state changes to
// stderr, as GNU tail does.
type printer struct {
	out  io.Writer     // stdout, for clean reads written straight through
	w    *bufio.Writer // for Lines; made on the first (clean text never needs it)
	errw io.Writer
	tr   func(en, ja string) string
}

func newPrinter(stdout, stderr io.Writer) *printer {
	return &printer{out: stdout, errw: stderr}
}

func (p *printer) Emit(b logtail.Batch) error {
	if p.w == nil {
		p.w = bufio.NewWriterSize(p.out, 256*1024)
	}
	for _, l := range b.Lines {
		p.w.WriteString(l.Text)
		if l.Cut {
			p.w.WriteString(logtail.CutMark)
		}
		p.w.WriteByte('\n')
	}
	if err := p.w.Flush(); err != nil {
		return err
	}
	if s := b.Short; s != nil {
		fmt.Fprintf(p.errw, config.Tr(p.tr, "richsops tail: only %d of %d lines within the last %d MiB (longer lines before them)\n",
			"richsops tail: 末尾 %[3]d MiB 内に %[1]d 行のみ（要求 %[2]d 行、その前に長い行）\n"), s.Found, s.Wanted, logtail.ScanLimit>>20)
	}
	if s := b.Status; s != nil && s.State != logtail.Following && s.State != logtail.Ended {
		fmt.Fprintln(p.errw, "richsops tail: "+s.String())
	}
	if s := b.Status; s != nil && s.State == logtail.Ended && s.Err != nil {
		return s.Err
	}
	return nil
}

// EmitRaw writes lines the follower found clean as they are: no copy into
// Lines (logtail.RawSink), one write per read, for tail -F's throughput.
func (p *printer) EmitRaw(text []byte) error {
	_, err := p.out.Write(text) // Emit flushes: nothing waits in p.w
	return err
}

// EmitPartial writes the start of a line whose newline is not written yet,
// as GNU tail does (logtail.PartialSink).
func (p *printer) EmitPartial(text string) error {
	_, err := io.WriteString(p.out, text)
	return err
}

// finish makes ctrl+c a clean exit.
func (p *printer) finish(ctx context.Context, err error) error {
	if p.w != nil {
		p.w.Flush()
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}
