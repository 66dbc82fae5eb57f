package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// Build is how every tab proposes a change: building the action reads the
// box (a crontab, the binary log list, the files to remove), so it runs in
// the returned tea.Cmd, off the UI goroutine, bounded by timeout; reply
// turns what it built into the tab's message. Most tabs pass Deps.Confirmed
// as reply: the action goes to the confirm dialog and an error to a toast.
func Build[T any](timeout time.Duration, build func(ctx context.Context) (T, error), reply func(T, error) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		v, err := build(ctx)
		return reply(v, err)
	}
}

// Confirmed is the plain reply of Build: the confirm dialog for the action,
// or the error in a toast, in the configured language.
func (d *Deps) Confirmed(a gate.Action, err error) tea.Msg {
	if err != nil {
		return ToastMsg{Text: d.ErrText(err), Error: true}
	}
	return ConfirmMsg{Action: a}
}

// OnHost is build on the host called name, looked up inside the Cmd: the
// lookup may create the ssh control folder, which the UI goroutine never
// waits for.
func OnHost[T any](hosts *host.Registry, name string, build func(ctx context.Context, h host.Host) (T, error)) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		h, err := hosts.Get(name)
		if err != nil {
			var zero T
			return zero, err
		}
		return build(ctx, h)
	}
}

// Refused is a change that would ask for input first, tried in read-only
// mode: it goes to the gate at once (which refuses and audits it), before
// any prompt opens. Its Run refuses too, should the gate ever act.
func (d *Deps) Refused(name, target, host string) tea.Cmd {
	return Confirm(gate.Action{Name: name, Target: target, Host: host,
		Run: func(context.Context) (gate.Outcome, error) { return gate.Outcome{}, gate.ErrReadOnly }})
}
