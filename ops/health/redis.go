package health

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// RedisResult is one PING.
type RedisResult struct {
	Addr    string        `json:"addr"`
	OK      bool          `json:"ok"`
	Latency time.Duration `json:"latency_s"` // connect + PING + PONG
	// Problem is "" when OK, else timeout, refused, dns, unreachable,
	// redis (an error reply), protocol or error; Err says it in words.
	Problem string    `json:"problem,omitempty"`
	Err     string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// pingCmd is PING in RESP, the Redis wire protocol.
const pingCmd = "*1\r\n$4\r\nPING\r\n"

// RedisPing connects to addr (host:port), sends PING and expects +PONG. A
// plain RESP exchange is all a health check needs, so no client library.
func RedisPing(ctx context.Context, addr string, timeout time.Duration) (r RedisResult) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	r = RedisResult{Addr: addr, At: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	defer func() { r.Latency = time.Since(start) }()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		r.Problem, r.Err = classify(err)
		return r
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write([]byte(pingCmd)); err != nil {
		r.Problem, r.Err = classify(err)
		return r
	}
	line, err := bufio.NewReaderSize(conn, 512).ReadString('\n')
	if err != nil {
		r.Problem, r.Err = classify(err)
		return r
	}
	reply, err := ParseRESPLine(line)
	switch {
	case err != nil && strings.HasPrefix(line, "-"):
		r.Problem, r.Err = "redis", err.Error()
	case err != nil:
		r.Problem, r.Err = "protocol", err.Error()
	case reply != "PONG":
		r.Problem, r.Err = "protocol", fmt.Sprintf("unexpected answer %q", reply)
	default:
		r.OK = true
	}
	return r
}

// ParseRESPLine reads one RESP simple-string reply ("+PONG\r\n"); an error
// reply ("-NOAUTH ...") comes back as an error with Redis' words.
func ParseRESPLine(line string) (string, error) {
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty answer")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	}
	const max = 80
	if len(line) > max {
		line = line[:max]
	}
	return "", fmt.Errorf("not a Redis answer: %q", line)
}
