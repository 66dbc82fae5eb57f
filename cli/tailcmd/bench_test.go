package tailcmd

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/richs/richsops/ops/logtail"
)

// BenchmarkFollowToStdout is `richsops tail -F`'s work per line: 1M lines
// appended to a followed file are read, split, checked and printed to a
// discarding stdout.
func BenchmarkFollowToStdout(b *testing.B) {
	line := []byte("2026-11-27 03:12:07,123 INFO inventory.check item 1234567 ok\n")
	const n = 1000000
	data := bytes.Repeat(line, n)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p := filepath.Join(b.TempDir(), "f.log")
		os.WriteFile(p, nil, 0o644)
		ctx, cancel := context.WithCancel(context.Background())
		out := newPrinter(io.Discard, io.Discard)
		count := &stopAfter{printer: out, left: n, cancel: cancel, started: make(chan struct{})}
		done := make(chan struct{})
		go func() {
			logtail.Follow(ctx, logtail.Options{Path: p}, count)
			close(done)
		}()
		<-count.started
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		f.Write(data)
		f.Close()
		<-done
	}
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "lines/s")
}

type stopAfter struct {
	*printer
	left    int
	cancel  func()
	started chan struct{}
}

func (s *stopAfter) EmitRaw(text []byte) error {
	err := s.printer.EmitRaw(text)
	if s.left -= bytes.Count(text, []byte("\n")); s.left <= 0 {
		s.cancel()
	}
	return err
}

func (s *stopAfter) Emit(b logtail.Batch) error {
	if b.Status != nil && b.Status.State == logtail.Following {
		close(s.started)
	}
	err := s.printer.Emit(b)
	if s.left -= len(b.Lines); s.left <= 0 {
		s.cancel()
	}
	return err
}
