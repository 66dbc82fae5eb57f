package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
)

// sender delivers one message to one target within ctx.
type sender func(ctx context.Context, m Message, repeat bool, since time.Time) error

func senderFor(n config.Notify, o Options) sender {
	f := formatter{t: o.Cfg.T}
	switch n.Kind {
	case "webhook":
		return func(ctx context.Context, m Message, repeat bool, since time.Time) error {
			var body any = payload{Message: m, Repeat: repeat}
			if n.Format == "slack" {
				body = map[string]string{"text": f.line(m, repeat, since)}
			}
			return postJSON(ctx, n.URL, body)
		}
	case "mail":
		return func(ctx context.Context, m Message, repeat bool, since time.Time) error {
			return sendMail(ctx, n, f.subject(m, repeat), f.body(m, repeat, since), m.Time)
		}
	case "command":
		return func(ctx context.Context, m Message, repeat bool, since time.Time) error {
			return runCommand(ctx, o.Host, n.Command, m, f.body(m, repeat, since))
		}
	}
	return func(context.Context, Message, bool, time.Time) error {
		return fmt.Errorf("unknown notify kind %q", n.Kind)
	}
}

// payload is the JSON body of a webhook: the message, and whether it is a
// repeat of a still-open CRIT.
type payload struct {
	Message
	Repeat bool `json:"repeat"`
}

func postJSON(ctx context.Context, url string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "richsops")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, sanitize.Cap(sanitize.Line(reply), 200))
	}
	return nil
}

// sendMail speaks SMTP to the relay within ctx's deadline: net/smtp has no
// timeout of its own, so the connection carries it.
func sendMail(ctx context.Context, n config.Notify, subject, body string, at time.Time) error {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", n.SMTP)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	hostName, _, _ := net.SplitHostPort(n.SMTP)
	c, err := smtp.NewClient(conn, hostName)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	// A relay on the machine itself often has a self-signed certificate:
	// STARTTLS only to another host, where it is worth checking.
	if ok, _ := c.Extension("STARTTLS"); ok && !isLoopback(hostName) {
		if err := c.StartTLS(&tls.Config{ServerName: hostName}); err != nil {
			return err
		}
	}
	if err := c.Mail(n.From); err != nil {
		return err
	}
	for _, to := range n.To {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(mailText(n, subject, body, at)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// mailText is the message: MIME headers (the subject as an encoded word
// when it is not ASCII) and the UTF-8 body in base64, lines of 76.
func mailText(n config.Notify, subject, body string, at time.Time) []byte {
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", n.From)
	hdr("To", strings.Join(n.To, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", subject))
	hdr("Date", at.Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	hdr("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// runCommand runs argv (no shell) with the text on stdin and the message's
// fields in the environment.
func runCommand(ctx context.Context, h host.Host, argv []string, m Message, text string) error {
	open := "0"
	if m.Open {
		open = "1"
	}
	_, err := h.Run(ctx, host.Cmd{Argv: argv, Stdin: strings.NewReader(text), Timeout: -1, Env: map[string]string{
		"RICHSOPS_LEVEL": m.Level, "RICHSOPS_KIND": m.Kind, "RICHSOPS_SUBJECT": m.Subject,
		"RICHSOPS_HOST": m.Host, "RICHSOPS_OPEN": open, "RICHSOPS_TEXT": m.Text,
	}})
	return err
}

// formatter renders a message in the configured language.
type formatter struct{ t func(en, ja string) string }

func levelName(level string) string { return strings.ToUpper(level) }

// line is the one-line form (chat payloads): "[CRIT] host: text".
func (f formatter) line(m Message, repeat bool, since time.Time) string {
	s := "[" + levelName(m.Level) + "] "
	if m.Host != "" {
		s += m.Host + ": "
	}
	text := m.Text
	if text == "" {
		text = m.Subject
	}
	s += text
	if m.Level == LevelOK && !since.IsZero() {
		s += " " + fmt.Sprintf(f.t("(recovered; open since %s)", "（回復。%s から）"), since.Format("2006-01-02 15:04"))
	}
	if repeat {
		s += " " + fmt.Sprintf(f.t("(still open since %s)", "（%s から継続中）"), since.Format("2006-01-02 15:04"))
	}
	return s
}

func (f formatter) subject(m Message, repeat bool) string {
	s := "richsops " + levelName(m.Level)
	if repeat {
		s += f.t(" (still open)", "（継続中）")
	}
	s += ": " + m.Subject
	if m.Host != "" {
		s += " @ " + m.Host
	}
	return s
}

// body is the plain-text form (mail, command stdin).
func (f formatter) body(m Message, repeat bool, since time.Time) string {
	var b strings.Builder
	b.WriteString(f.line(m, repeat, since) + "\n\n")
	row := func(en, ja, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", f.t(en, ja), v)
		}
	}
	row("Level", "レベル", levelName(m.Level))
	row("Kind", "種類", m.Kind)
	row("Subject", "対象", m.Subject)
	row("Host", "ホスト", m.Host)
	row("Time", "時刻", m.Time.Format(time.RFC3339))
	return b.String()
}
