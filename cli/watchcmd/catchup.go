package watchcmd

import (
	"context"
	"time"

	"github.com/richs/richsops/ops/catchup"
)

// catchUpPassTimeout bounds one pass: the jobs' snapshot, the guard's
// probe, the start (which waits for the process to show).
const catchUpPassTimeout = 2 * time.Minute

func init() {
	registerInterlock(stepped("catch-up", catchUpPassTimeout, func(x *interlockEnv) passFunc {
		il := &catchup.Interlock{Cfg: x.Env.Cfg, Host: x.Host, Gate: x.Env.Gate, Store: x.Store, Sink: x.Sink, Now: time.Now}
		return func(ctx context.Context) ([]string, []string, error) {
			st, err := il.Pass(ctx)
			return st.Did, st.Errors, err
		}
	}))
}
