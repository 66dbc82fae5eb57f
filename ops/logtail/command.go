package logtail

import (
	"context"
	"io"

	"github.com/richs/richsops/ops/host"
)

// FollowCommand runs argv on h and emits its output as lines (capped and
// sanitized like a file's) until the command ends or ctx is cancelled.
// label names the stream in statuses. It ends with an Ended status.
func FollowCommand(ctx context.Context, h host.Host, argv []string, label string, maxLine int, sink Sink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := h.Run(ctx, host.Cmd{Argv: argv, Stdout: pw, Timeout: -1})
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	if err := sink.Emit(Batch{Status: &Status{State: Following, Path: label}}); err != nil {
		cancel()
		pr.Close()
		<-done
		return err
	}
	sp := newSplitter(maxLine)
	buf := make([]byte, readSize)
	ps, partial := sink.(PartialSink)
	var sinkErr error
	for {
		n, err := pr.Read(buf)
		if n > 0 && sinkErr == nil {
			if lines := sp.feed(buf[:n], nil); len(lines) > 0 {
				sinkErr = sink.Emit(Batch{Lines: lines})
			}
			if sinkErr == nil && partial {
				if text := sp.fragment(false); text != "" { // a line not ended yet, as GNU tail shows it
					sinkErr = ps.EmitPartial(text)
				}
			}
			if sinkErr != nil {
				cancel()
			}
		}
		if err != nil {
			break
		}
	}
	runErr := <-done
	if sinkErr != nil {
		return sinkErr
	}
	if ctx.Err() != nil { // stopped by us: not a failure
		runErr = nil
	}
	lines, err := finalLine(sp, sink)
	if err != nil {
		return err
	}
	return sink.Emit(Batch{Lines: lines, Status: &Status{State: Ended, Path: label, Err: runErr}})
}
