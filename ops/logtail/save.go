package logtail

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/richs/richsops/ops/host"
)

// Save writes lines (one per line) to a new file on h: the Logs tab's
// "save shown lines". It refuses to replace an existing file.
func Save(ctx context.Context, h host.Host, path string, lines []string) error {
	if _, err := h.Stat(ctx, path); err == nil {
		return fmt.Errorf("%s already exists", path)
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, err := h.Edit(ctx, path, func(old []byte) ([]byte, error) {
		if old != nil { // created since the look above
			return nil, fmt.Errorf("%s already exists", path)
		}
		return []byte(b.String()), nil
	}, host.EditOpts{Mode: func(os.FileMode) os.FileMode { return 0o600 }})
	return err
}
