package traffic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/tailbytes"
)

const blockSize = 4 << 20

// feed reads r to the end and gives t every line. A line longer than the
// buffer grows it: lines are never cut.
func feed(ctx context.Context, r io.Reader, t *tally) error {
	buf := make([]byte, blockSize)
	have := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf[have:])
		have += n
		data := buf[:have]
		start := 0
		for {
			nl := bytes.IndexByte(data[start:], '\n')
			if nl < 0 {
				break
			}
			t.line(data[start : start+nl])
			start += nl + 1
		}
		have = copy(buf, data[start:])
		if errors.Is(err, io.EOF) {
			if have > 0 {
				t.line(buf[:have])
			}
			return nil
		}
		if err != nil {
			return err
		}
		if have == len(buf) {
			buf = append(buf, make([]byte, len(buf))...)
		}
	}
}

// Summarize reads an access log from r on one core.
func Summarize(ctx context.Context, r io.Reader, f *Format, o Options) (Summary, error) {
	o = o.withDefaults()
	t := newTally(f, o.Top)
	err := feed(ctx, r, t)
	return t.summary(o), err
}

// SummarizeBytes summarises a log already in memory (a tail window).
func SummarizeBytes(ctx context.Context, data []byte, f *Format, o Options) (Summary, error) {
	return Summarize(ctx, bytes.NewReader(data), f, o)
}

// SummarizeFile summarises a file on h, parsing chunks of it in parallel
// (over ssh each chunk is one ranged read there).
// Each chunk starts just after a newline, so every line is read by exactly
// one worker.
func SummarizeFile(ctx context.Context, h host.Host, path string, f *Format, o Options) (Summary, error) {
	o = o.withDefaults()
	fh, err := h.Open(ctx, path)
	if err != nil {
		return Summary{}, err
	}
	defer fh.Close()
	size := fh.Size()
	workers := o.Workers
	if workers <= 0 {
		workers = min(runtime.NumCPU(), 8)
	}
	if size < 8*blockSize {
		workers = 1
	}
	bounds, err := chunkBounds(fh, size, workers*4)
	if err != nil {
		return Summary{}, err
	}
	jobs := make(chan [2]int64, len(bounds))
	for i := 0; i+1 < len(bounds); i++ {
		jobs <- [2]int64{bounds[i], bounds[i+1]}
	}
	close(jobs)
	tallies := make([]*tally, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		tallies[w] = newTally(f, o.Top)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := feed(ctx, io.NewSectionReader(fh, j[0], j[1]-j[0]), tallies[w]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		tallies[0].merge(tallies[w])
	}
	s := tallies[0].summary(o)
	s.File = path
	return s, errors.Join(errs...)
}

// chunkBounds cuts [0,size) into about n pieces whose inner bounds are just
// after a newline.
func chunkBounds(r io.ReaderAt, size int64, n int) ([]int64, error) {
	bounds := []int64{0}
	buf := make([]byte, 64<<10)
	for i := 1; i < n; i++ {
		pos := size * int64(i) / int64(n)
		if pos <= bounds[len(bounds)-1] {
			continue
		}
		for pos < size {
			m, err := r.ReadAt(buf, pos)
			if nl := bytes.IndexByte(buf[:m], '\n'); nl >= 0 {
				pos += int64(nl) + 1
				break
			}
			pos += int64(m)
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			if m == 0 {
				pos = size
			}
		}
		if pos < size && pos > bounds[len(bounds)-1] {
			bounds = append(bounds, pos)
		}
	}
	return append(bounds, size), nil
}

// SummarizeHost summarises the access log at path on h. tail > 0 reads only
// the last tail bytes (the overview's window; Summary.Partial is then set
// when older lines were skipped); tail == 0 reads the whole file, in
// parallel (SummarizeFile).
func SummarizeHost(ctx context.Context, h host.Host, path string, f *Format, o Options, tail int64) (Summary, error) {
	if tail <= 0 {
		return SummarizeFile(ctx, h, path, f, o)
	}
	data, cut, err := tailbytes.Read(ctx, h, path, tail)
	if err != nil {
		return Summary{}, err
	}
	s, err := SummarizeBytes(ctx, data, f, o)
	s.File, s.Partial = path, cut
	return s, err
}
