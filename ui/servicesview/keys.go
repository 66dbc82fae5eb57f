package servicesview

import (
	"charm.land/bubbles/v2/key"

	"github.com/richs/richsops/ui/common"
)

// keyMap is the Services tab's bindings, from the registry.
type keyMap struct {
	Up, Down, Top, Bottom                key.Binding
	Start, Stop, Restart, Reload         key.Binding
	RedisThenIndex, Log, Details, Reread key.Binding
}

func newKeys(d *common.Deps) keyMap {
	r := d.Keys()
	s := r.Services
	return keyMap{
		Up:             r.Nav.Up,
		Down:           r.Nav.Down,
		Top:            r.Nav.Top,
		Bottom:         r.Nav.Bottom,
		Start:          s.Start,
		Stop:           s.Stop,
		Restart:        s.Restart,
		Reload:         s.Reload,
		RedisThenIndex: s.RedisThenIndex,
		Log:            s.Log,
		Details:        r.Nav.Enter,
		Reread:         r.Global.Refresh,
	}
}
