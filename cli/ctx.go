package cli

import "context"

// nilCtx is the context of a CLI action: the action's own steps carry
// their timeouts; ctrl+c ends the process.
func nilCtx() context.Context { return context.Background() }
