package common

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestHostBadge(t *testing.T) {
	d := &Deps{Styles: DefaultStyles()}
	for name, want := range map[string]string{"": "", "local": "", "db1": "@ db1"} {
		if got := ansi.Strip(HostBadge(d, name)); got != want {
			t.Errorf("HostBadge(%q) = %q, want %q", name, got, want)
		}
	}
}
