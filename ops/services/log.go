package services

import (
	"fmt"
	"path/filepath"

	"github.com/richs/richsops/ops/config"
)

// JournalLines is how much history a journal log view starts with.
const JournalLines = "500"

// LogSource is where a service's log is read: a file on a host, or a
// command whose output follows the log.
type LogSource struct {
	Name string
	Host string
	Path string
	Argv []string
	Kind string // "plain": the Logs tab's colouring
	// Empty is what the pane says while the command printed nothing: the
	// journal (or pm2's log) has no lines for this service.
	Empty string
}

// Log says where the service's recent log is: journalctl -u UNIT for a
// systemd unit with a journal (log = "journal", the default for units),
// else the configured log file; a pm2 app without one follows `pm2 logs`.
func Log(s Spec) (LogSource, error) {
	src := LogSource{Name: s.Name, Host: s.Host, Kind: "plain"}
	switch {
	case s.Log != "" && s.Log != "journal":
		if !filepath.IsAbs(s.Log) {
			return src, config.Errorf(s.T, "%s: log %q must be an absolute path or \"journal\"", "%s: log %q は絶対パスか \"journal\" にしてください", s.Name, s.Log)
		}
		src.Path = s.Log
	case s.Kind == KindSystemd:
		// The pane is named after what it follows, not the service: the
		// journal, which may be empty, is not the service's log file.
		src.Name = "journalctl -u " + s.Unit + " -f"
		src.Argv = append(append([]string(nil), s.Journalctl...), "-u", s.Unit, "-n", JournalLines, "-f", "--no-pager")
		src.Empty = fmt.Sprintf(s.t("the journal has no lines of %s yet", "ジャーナルに %s の行はまだありません"), s.Unit)
	case s.Kind == KindPM2:
		src.Name = "pm2 logs " + s.App
		src.Argv = append(append([]string(nil), s.PM2...), "logs", s.App, "--raw", "--lines", JournalLines)
		src.Empty = fmt.Sprintf(s.t("pm2 has no log lines of %s yet", "pm2 に %s のログ行はまだありません"), s.App)
	default:
		return src, config.Errorf(s.T, "%s: no log configured (set log = \"/path/to/file\")", "%s: ログが設定されていません（log = \"/path/to/file\" を設定）", s.Name)
	}
	return src, nil
}
