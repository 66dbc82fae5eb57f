package lineinput

// The golden package defines -update: imported here so that the one
// command regenerating every golden screen, go test ./ui/... -update, also
// runs in this package, which has none.
import _ "github.com/charmbracelet/x/exp/golden"
