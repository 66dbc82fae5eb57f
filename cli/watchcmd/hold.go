package watchcmd

import (
	"context"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/hold"
	"github.com/richs/richsops/ops/jobs"
)

// holdPassTimeout bounds one pass (the logs' tails, the crontab, the
// gate's actions).
const holdPassTimeout = 2 * time.Minute

func init() {
	registerInterlock(stepped("amazon-hold", holdPassTimeout, func(x *interlockEnv) passFunc {
		il := &hold.Interlock{Cfg: x.Env.Cfg, Hosts: x.Env.Hosts, Host: x.Host, Gate: x.Env.Gate, Store: x.Store, Sink: x.Sink, Now: time.Now}
		return func(ctx context.Context) ([]string, []string, error) {
			st, err := il.Pass(ctx)
			return st.Did, st.Errors, err
		}
	}))
	cli.OnNewEnv(wireHold)
}

// wireHold makes run now of an Amazon-heavy job (the jobs command, the
// Jobs tab, catch-up) ask the hold: blocked answers coming, or the jobs
// held until the block clears.
func wireHold(env *cli.Env) {
	cfg, hosts := env.Cfg, env.Hosts
	jobs.DefaultBlock = func(ctx context.Context) (*jobs.Block, error) {
		h, err := env.Host()
		if err != nil {
			return nil, err
		}
		now := time.Now()
		events, _ := hold.Events(ctx, cfg, nil, now) // without history: judged from the audit log
		st, err := hold.Read(ctx, cfg, hosts, h, events, now)
		if err != nil {
			return nil, err
		}
		return st.RunBlock(), nil
	}
}
