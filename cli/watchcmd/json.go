package watchcmd

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/richs/richsops/ops/sanitize"
)

// writeRunsJSON writes runs as cli.Env.PrintJSON would (indented, map keys
// sorted, the same escapes, then the display sanitizer), encoded by hand:
// `jobs runs --json` lists thousands of runs and reflection was most of
// its time. TestRunsJSONLikePrintJSON keeps the two identical.
func writeRunsJSON(w io.Writer, runs []RunJSON) error {
	rw := newRunsWriter(w)
	for _, r := range runs {
		if err := rw.add(r); err != nil {
			return err
		}
	}
	return rw.close()
}

// runsChunk is how much JSON a runsWriter gathers before it sanitizes and
// writes it: the whole listing of thousands of runs is never held.
const runsChunk = 64 << 10

// runsWriter is writeRunsJSON one run at a time, as they are read.
type runsWriter struct {
	w io.Writer
	b []byte
	n int
}

func newRunsWriter(w io.Writer) *runsWriter {
	return &runsWriter{w: w, b: make([]byte, 0, runsChunk+4096)}
}

func (rw *runsWriter) add(r RunJSON) error {
	if rw.n == 0 {
		rw.b = append(rw.b, "[\n"...)
	} else {
		rw.b = append(rw.b, ",\n"...)
	}
	rw.n++
	rw.b = appendRun(rw.b, r)
	if len(rw.b) < runsChunk {
		return nil
	}
	// Cut between runs: no character is split.
	_, err := rw.w.Write(sanitize.JSON(rw.b))
	rw.b = rw.b[:0]
	return err
}

func (rw *runsWriter) close() error {
	if rw.n == 0 {
		rw.b = append(rw.b, "[]\n"...)
	} else {
		rw.b = append(rw.b, "\n]\n"...)
	}
	_, err := rw.w.Write(sanitize.JSON(rw.b))
	return err
}

// appendRun is one run's object, indented as PrintJSON indents it in a list.
func appendRun(b []byte, r RunJSON) []byte {
	b = append(b, "  {\n"...)
	b = field(b, "job", true)
	b = appendString(b, r.Job)
	b = field(b, "host", false)
	b = appendString(b, r.Host)
	b = field(b, "start", false)
	b = appendTime(b, r.Start)
	b = field(b, "end", false)
	if r.End == nil {
		b = append(b, "null"...)
	} else {
		b = appendTime(b, *r.End)
	}
	b = field(b, "duration_s", false)
	if r.DurationS == nil {
		b = append(b, "null"...)
	} else {
		b = appendFloat(b, *r.DurationS)
	}
	b = field(b, "exit_code", false)
	if r.ExitCode == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*r.ExitCode), 10)
	}
	b = field(b, "trigger", false)
	b = appendString(b, r.Trigger)
	b = field(b, "user", false)
	b = appendString(b, r.User)
	b = field(b, "killed_by", false)
	b = appendString(b, r.KilledBy)
	b = field(b, "counts", false)
	if len(r.Counts) == 0 {
		b = append(b, "{}"...)
	} else {
		keys := make([]string, 0, len(r.Counts))
		for k := range r.Counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, "{\n"...)
		for j, k := range keys {
			if j > 0 {
				b = append(b, ",\n"...)
			}
			b = append(b, "      "...)
			b = appendString(b, k)
			b = append(b, ": "...)
			b = strconv.AppendInt(b, int64(r.Counts[k]), 10)
		}
		b = append(b, "\n    }"...)
	}
	b = field(b, "flags", false)
	if len(r.Flags) == 0 {
		b = append(b, "[]"...)
	} else {
		b = append(b, "[\n"...)
		for j, f := range r.Flags {
			if j > 0 {
				b = append(b, ",\n"...)
			}
			b = append(b, "      "...)
			b = appendString(b, f)
		}
		b = append(b, "\n    ]"...)
	}
	return append(b, "\n  }"...)
}

func field(b []byte, name string, first bool) []byte {
	if !first {
		b = append(b, ",\n"...)
	}
	b = append(b, "    \""...)
	b = append(b, name...)
	return append(b, "\": "...)
}

// appendString quotes s as encoding/json does: plain ASCII directly, any
// string needing an escape through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendTime is t as time.Time.MarshalJSON writes it (RFC 3339 with
// nanoseconds, quoted), without its allocation; a year it refuses is left
// to it.
func appendTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		q, _ := t.MarshalJSON()
		return append(b, q...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendFloat is f as encoding/json writes a float64 (its rule: 'f' but
// for tiny or huge magnitudes, 'e' with a two-digit exponent trimmed),
// without its allocation; NaN and infinities are left to it.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		q, _ := json.Marshal(f)
		return append(b, q...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
