package logsview

import (
	"context"
	"github.com/richs/richsops/ops/host"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ui/common"
)

type saveDoneMsg struct {
	path string
	n    int
	err  error
}

// saveTimeout bounds writing a saved excerpt.
const saveTimeout = 30 * time.Second

func defaultSavePath(name string, now time.Time) string {
	// A command pane's name ("journalctl -u nginx -f") has spaces: keep the
	// file name to one word.
	name = strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' || r == '\\' {
			return '-'
		}
		return r
	}, name)
	return filepath.Join(os.TempDir(), "richsops-"+name+"-"+now.Format("20060102-150405")+".log")
}

// saveLines writes the lines on the local host through ops.
func saveLines(d *common.Deps, path string, lines []string) tea.Cmd {
	hosts := d.Hosts
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		defer cancel()
		h, err := hosts.Get(host.LocalName)
		if err != nil {
			return saveDoneMsg{path: path, err: err}
		}
		err = logtail.Save(ctx, h, path, lines)
		return saveDoneMsg{path: path, n: len(lines), err: err}
	}
}

// copyLine puts text on the terminal's clipboard with OSC 52, which works
// over SSH. Bubble Tea writes the sequence between frames (a Cmd writing to
// the terminal itself raced the renderer). text is already sanitized and is
// base64-encoded inside the sequence.
func copyLine(text, done string) tea.Cmd {
	return tea.Batch(tea.SetClipboard(text), common.Toast(done, false))
}
