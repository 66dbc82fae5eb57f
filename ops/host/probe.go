package host

import (
	"context"
	"errors"
	"time"
)

// Probe is the outcome of checking that a host answers.
type Probe struct {
	Reachable bool
	// Connect is the first command's time: on an SSH host without a shared
	// connection yet, it includes the TCP connect and key exchange.
	Connect time.Duration
	// RTT is a second command's time: one round trip on the (now open)
	// shared connection.
	RTT time.Duration
	Err error // why not reachable, or what failed
}

// ProbeHost runs `true` twice on h, each bounded by timeout, and reports
// whether and how fast it answers. It never takes much longer than
// 2*timeout, whatever the host does.
func ProbeHost(ctx context.Context, h Host, timeout time.Duration) Probe {
	var p Probe
	res, err := h.Run(ctx, Cmd{Argv: []string{"true"}, Timeout: timeout})
	p.Connect = res.Duration
	if err != nil {
		p.Err = err
		// A remote shell that ran but failed still means the host answers.
		var ee *ExitError
		p.Reachable = errors.As(err, &ee)
		return p
	}
	p.Reachable = true
	res, err = h.Run(ctx, Cmd{Argv: []string{"true"}, Timeout: timeout})
	p.RTT = res.Duration
	p.Err = err
	return p
}
