package logsview

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"io"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

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
	return filepath.Join(os.TempDir(), "richsops-"+name+"-"+now.Format("20060102-150405")+".log")
}

// saveLines writes the lines on the local host through ops.
func saveLines(d *common.Deps, path string, lines []string) tea.Cmd {
	hosts := d.Hosts
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		defer cancel()
		h, err := hosts.Get("local")
		if err != nil {
			return saveDoneMsg{path: path, err: err}
		}
		err = logtail.Save(ctx, h, path, lines)
		return saveDoneMsg{path: path, n: len(lines), err: err}
	}
}

// clipboardOut is where the OSC 52 sequence goes (the terminal; tests swap it).
var clipboardOut io.Writer = os.Stdout

// copyLine puts text on the terminal's clipboard with OSC 52, which works
// over SSH and inside tmux (wrapped for its passthrough). text is already
// sanitized and is base64-encoded inside the sequence.
func copyLine(text, done string) tea.Cmd {
	return func() tea.Msg {
		seq := osc52.New(text)
		if os.Getenv("TMUX") != "" {
			seq = seq.Tmux()
		} else if os.Getenv("STY") != "" {
			seq = seq.Screen()
		}
		if _, err := seq.WriteTo(clipboardOut); err != nil {
			return common.ToastMsg{Text: err.Error(), Error: true}
		}
		return common.ToastMsg{Text: done}
	}
}
