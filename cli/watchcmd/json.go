package watchcmd

import (
	"encoding/json"
	"io"
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
	if len(runs) == 0 {
		_, err := w.Write([]byte("[]\n"))
		return err
	}
	b := make([]byte, 0, 512*len(runs))
	b = append(b, "[\n"...)
	for i, r := range runs {
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
		b = append(b, "\n  }"...)
		if i < len(runs)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, "]\n"...)
	_, err := w.Write(sanitize.JSON(b))
	return err
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

func appendTime(b []byte, t time.Time) []byte {
	q, _ := t.MarshalJSON()
	return append(b, q...)
}

func appendFloat(b []byte, f float64) []byte {
	q, _ := json.Marshal(f)
	return append(b, q...)
}
