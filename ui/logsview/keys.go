package logsview

import (
	"charm.land/bubbles/v2/key"

	"github.com/richs/richsops/ui/common"
)

// keyMap holds the Logs tab's bindings, from the registry.
type keyMap struct {
	common.LogsKeys
	Up, Down, PgUp, PgDown key.Binding
}

func newKeys(d *common.Deps) keyMap {
	r := d.Keys()
	return keyMap{LogsKeys: r.Logs, Up: r.Nav.Up, Down: r.Nav.Down, PgUp: r.Nav.PgUp, PgDown: r.Nav.PgDown}
}
