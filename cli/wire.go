package cli

import (
	"context"

	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/jobs"
)

// wire connects the domains that only meet at run time: the Mercari guard
// of ops/jobs asks ops/health whether index-linux (pm2 app, management
// server, Redis) is healthy, on the host index-linux is configured on.
// One process runs one config, so a package-level hook is enough.
func wire(env *Env) {
	cfg, hosts := env.Cfg, env.Hosts
	jobs.DefaultGuard = func(ctx context.Context) (bool, string) {
		return health.IndexLinuxOn(ctx, cfg, hosts)
	}
}
