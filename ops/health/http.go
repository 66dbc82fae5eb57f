// Package health probes the in-house services: an HTTP GET with status and
// latency (index-linux's management server, the Amazon CAPTCHA solver), a
// Redis PING over a plain RESP exchange, and the index-linux verdict that
// the Mercari stock checks depend on.
package health

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout bounds a probe whose config gives none.
const DefaultTimeout = 5 * time.Second

// HTTPResult is one HTTP probe.
type HTTPResult struct {
	Name    string        `json:"name,omitempty"`
	URL     string        `json:"url"`
	OK      bool          `json:"ok"`
	Status  int           `json:"status,omitempty"` // 0 when no answer came
	Latency time.Duration `json:"latency_s"`        // until the response headers (or the failure)
	// Problem is "" when OK, else one of: timeout, refused, tls, dns,
	// unreachable, status, error; Err says it in words.
	Problem string    `json:"problem,omitempty"`
	Err     string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// probeClient never follows redirects (a 3xx is an answer) and never
// reuses a connection, so every probe measures a fresh connect.
func probeClient(timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // loopback and internal addresses: never via a proxy
		DisableKeepAlives:   true,
		TLSHandshakeTimeout: timeout,
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// ProbeHTTP GETs url and says whether it answered as expected: expect is the
// wanted status, 0 = any 2xx or 3xx.
func ProbeHTTP(ctx context.Context, rawURL string, timeout time.Duration, expect int) HTTPResult {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	r := HTTPResult{URL: rawURL, At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		r.Problem, r.Err = "error", err.Error()
		return r
	}
	req.Header.Set("User-Agent", "richsops-probe")
	client := probeClient(timeout)
	defer client.CloseIdleConnections()
	start := time.Now()
	resp, err := client.Do(req)
	r.Latency = time.Since(start)
	if err != nil {
		r.Problem, r.Err = classify(err)
		return r
	}
	// Read a little of the body so a server that stalls mid-answer shows,
	// but never a whole page.
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	resp.Body.Close()
	r.Status = resp.StatusCode
	switch {
	case expect != 0 && resp.StatusCode == expect, expect == 0 && resp.StatusCode >= 200 && resp.StatusCode < 400:
		r.OK = true
	default:
		r.Problem, r.Err = "status", fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if expect != 0 {
			r.Err += fmt.Sprintf(" (want %d)", expect)
		}
	}
	return r
}

// classify names why a request failed, in the words an operator acts on.
func classify(err error) (problem, msg string) {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout", "no answer in time: " + err.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused", "connection refused (nothing listens there)"
	case errors.As(err, &dnsErr):
		return "dns", err.Error()
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recErr), errors.As(err, &alert):
		return "tls", "TLS: " + err.Error()
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http gives this one no type of its own.
		return "tls", "TLS: the server speaks plain HTTP, not HTTPS"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable", err.Error()
	}
	return "error", err.Error()
}
