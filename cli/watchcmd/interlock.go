package watchcmd

import (
	"context"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/notify"
)

// An interlock is one of the watch service's early-warning loops beside
// the sampler and the guard (the brake on mass withdrawal, the Amazon
// hold, catch-up after a reboot, the attention transitions and their
// messages). Each registers itself from its own file's init.
type interlock struct {
	name string
	// run goes on until ctx ends (richsops watch).
	run func(ctx context.Context, x *interlockEnv)
	// once does one pass (richsops watch --once); nil = nothing to do once.
	once func(ctx context.Context, x *interlockEnv) error
}

// interlockEnv is what an interlock acts with: the config, the gate (every
// change goes through env.Gate with its own gate.Actor*), the jobs' host,
// where its messages go, and the history database when it is open.
type interlockEnv struct {
	Env  *cli.Env
	Host host.Host
	Sink notify.Sink
	svc  *service
}

// Store is the history database, nil while it cannot be opened (an
// interlock goes on without it: history never holds up an interlock).
func (x *interlockEnv) Store() *history.Store {
	x.svc.mu.Lock()
	defer x.svc.mu.Unlock()
	return x.svc.store
}

var interlocks []interlock

func registerInterlock(i interlock) { interlocks = append(interlocks, i) }

// newSink is where the watch service's messages go: the [[notify]]
// targets (notify.go sets it).
var newSink func(ctx context.Context, env *cli.Env, svc *service) notify.Sink
