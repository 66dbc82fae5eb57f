// Package traffic summarises an nginx access log: requests per minute, the
// shares of 2xx/3xx/4xx/5xx, top paths and clients, the slowest requests when
// $request_time is logged, and per-minute series for sparklines.
//
// It must be fast on big logs (a 1 GiB log in a few seconds), so a line is
// parsed as bytes by a parser compiled from the nginx log_format string: no
// regular expressions, no allocation per line, and the file is cut into
// chunks parsed in parallel.
package traffic

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/richs/richsops/ops/config"
)

// Combined is nginx's predefined "combined" log_format.
const Combined = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

// field is what a log_format variable means to the summary.
type field uint8

const (
	fIgnore      field = iota
	fRemoteAddr        // $remote_addr
	fTimeLocal         // $time_local: 27/Nov/2026:03:10:01 +0900
	fTimeISO           // $time_iso8601: 2026-11-27T03:10:01+09:00
	fMsec              // $msec: 1764180601.123
	fRequest           // $request: GET /path?q HTTP/1.1
	fMethod            // $request_method
	fURI               // $request_uri or $uri
	fStatus            // $status
	fBytes             // $body_bytes_sent or $bytes_sent
	fRequestTime       // $request_time in seconds with ms
)

var fieldOf = map[string]field{
	"remote_addr":     fRemoteAddr,
	"time_local":      fTimeLocal,
	"time_iso8601":    fTimeISO,
	"msec":            fMsec,
	"request":         fRequest,
	"request_method":  fMethod,
	"request_uri":     fURI,
	"uri":             fURI,
	"status":          fStatus,
	"body_bytes_sent": fBytes,
	"bytes_sent":      fBytes,
	"request_time":    fRequestTime,
}

// part is one variable and the literal text that follows it up to the next
// variable. The variable's value ends where that literal starts.
type part struct {
	f    field
	name string
	lit  []byte
}

// Format is a compiled log_format.
type Format struct {
	Source string // the log_format text it was compiled from
	prefix []byte // literal before the first variable
	parts  []part
	has    [fRequestTime + 1]bool
}

// HasRequestTime reports whether the format logs $request_time.
func (f *Format) HasRequestTime() bool { return f.has[fRequestTime] }

// Compile turns an nginx log_format string into a parser. "" and "combined"
// give the combined format. Quotes as written in nginx.conf around each piece
// ('...' '...') are not part of the format: pass the joined text.
func Compile(format string) (*Format, error) {
	if strings.TrimSpace(format) == "" || format == "combined" {
		format = Combined
	}
	f := &Format{Source: format}
	i := 0
	var lit []byte
	cur := -1 // index in parts of the variable the literal follows; -1 = prefix
	flush := func() {
		if cur < 0 {
			f.prefix = lit
		} else {
			f.parts[cur].lit = lit
		}
		lit = nil
	}
	for i < len(format) {
		c := format[i]
		if c != '$' {
			lit = append(lit, c)
			i++
			continue
		}
		name, n := varName(format[i+1:])
		if name == "" {
			// A lone '$' is literal text, as in nginx.
			lit = append(lit, c)
			i++
			continue
		}
		if cur >= 0 && len(lit) == 0 {
			return nil, fmt.Errorf("log_format: $%s follows $%s with nothing between them: the two cannot be told apart", name, f.parts[cur].name)
		}
		flush()
		fd := fieldOf[name]
		if fd != fIgnore && f.has[fd] {
			fd = fIgnore // only the first occurrence counts
		}
		f.has[fd] = true
		f.parts = append(f.parts, part{f: fd, name: name})
		cur = len(f.parts) - 1
		i += 1 + n
	}
	flush()
	if len(f.parts) == 0 {
		return nil, fmt.Errorf("log_format %q has no variables", format)
	}
	if !f.has[fStatus] {
		return nil, fmt.Errorf("log_format %q has no $status", format)
	}
	if !f.has[fRequest] && !f.has[fURI] {
		return nil, fmt.Errorf("log_format %q has neither $request nor $request_uri", format)
	}
	return f, nil
}

// varName reads a variable name after '$': name or {name}.
func varName(s string) (string, int) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end <= 1 {
			return "", 0
		}
		return s[1:end], end + 1
	}
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n], n
}

// record is one parsed line. Its byte slices point into the line.
type record struct {
	client, method, path, timeText []byte
	status                         int
	bytes                          int64
	reqTime                        float64 // seconds; <0 when absent
	timeKind                       field
}

// parse splits line into rec. It returns false when the line does not have
// the format's shape (a "bad" line).
func (f *Format) parse(line []byte, rec *record) bool {
	if !bytes.HasPrefix(line, f.prefix) {
		return false
	}
	pos := len(f.prefix)
	*rec = record{reqTime: -1, status: -1}
	var request []byte
	for i := range f.parts {
		p := &f.parts[i]
		var val []byte
		if len(p.lit) == 0 { // last variable: to the end of the line
			val = line[pos:]
			pos = len(line)
		} else {
			end := indexLit(line[pos:], p.lit)
			if end < 0 {
				return false
			}
			val = line[pos : pos+end]
			pos += end + len(p.lit)
		}
		switch p.f {
		case fRemoteAddr:
			rec.client = val
		case fTimeLocal, fTimeISO, fMsec:
			rec.timeText, rec.timeKind = val, p.f
		case fRequest:
			request = val
		case fMethod:
			rec.method = val
		case fURI:
			rec.path = val
		case fStatus:
			if len(val) != 3 || !digit(val[0]) || !digit(val[1]) || !digit(val[2]) {
				return false
			}
			rec.status = int(val[0]-'0')*100 + int(val[1]-'0')*10 + int(val[2]-'0')
		case fBytes:
			rec.bytes = parseInt(val)
		case fRequestTime:
			rec.reqTime = parseSeconds(val)
		}
	}
	if rec.path == nil && request != nil {
		rec.method, rec.path = splitRequest(request)
	}
	return true
}

// indexLit finds lit in s. Values never contain the literal's first byte in
// the common formats (nginx escapes '"' in strings), so the first candidate
// nearly always matches.
func indexLit(s, lit []byte) int {
	if len(lit) == 1 {
		return bytes.IndexByte(s, lit[0])
	}
	off := 0
	for {
		i := bytes.IndexByte(s[off:], lit[0])
		if i < 0 {
			return -1
		}
		if bytes.HasPrefix(s[off+i:], lit) {
			return off + i
		}
		off += i + 1
	}
}

// splitRequest cuts "GET /a?b HTTP/1.1" into method and target. A request
// that is not of that shape (garbage sent to port 80) is kept whole as path.
func splitRequest(r []byte) (method, path []byte) {
	sp := bytes.IndexByte(r, ' ')
	if sp <= 0 {
		return nil, r
	}
	method, rest := r[:sp], r[sp+1:]
	if last := bytes.LastIndexByte(rest, ' '); last >= 0 && bytes.HasPrefix(rest[last+1:], []byte("HTTP/")) {
		rest = rest[:last]
	}
	return method, rest
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// parseInt reads leading digits ("-" and junk give 0).
func parseInt(b []byte) int64 {
	var n int64
	for _, c := range b {
		if !digit(c) {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// parseSeconds reads "0.123" (nginx's $request_time); -1 when absent ("-").
func parseSeconds(b []byte) float64 {
	if len(b) == 0 || !digit(b[0]) {
		return -1
	}
	var whole, frac, scale int64 = 0, 0, 1
	i := 0
	for ; i < len(b) && digit(b[i]); i++ {
		whole = whole*10 + int64(b[i]-'0')
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && digit(b[i]) && scale < 1e9; i++ {
			frac = frac*10 + int64(b[i]-'0')
			scale *= 10
		}
	}
	return float64(whole) + float64(frac)/float64(scale)
}

// LogOf is the [[logs]] entry the traffic summary reads (config
// traffic.log), with the log_format compiled.
func LogOf(c *config.Config) (config.Log, *Format, error) {
	f, err := Compile(c.Traffic.LogFormat)
	if err != nil {
		return config.Log{}, nil, err
	}
	if c.Traffic.Log == "" {
		return config.Log{}, f, fmt.Errorf("no access log: set traffic.log to a [[logs]] name")
	}
	if l, ok := c.LogNamed(c.Traffic.Log); ok {
		return l, f, nil
	}
	return config.Log{}, f, fmt.Errorf("traffic.log = %q names no [[logs]] entry", c.Traffic.Log)
}

// CheckConfig is what config check adds for traffic: traffic.log_format
// compiles (the config package cannot compile it: it is parsed here).
func CheckConfig(c *config.Config) config.Problems {
	if _, err := Compile(c.Traffic.LogFormat); err != nil {
		return config.Problems{{File: c.Path, Line: c.Line("traffic.log_format"), Key: "traffic.log_format", Msg: err.Error()}}
	}
	return nil
}
