package servicesview

import (
	"charm.land/bubbles/v2/key"

	"github.com/richs/richsops/ui/common"
)

type keyMap struct {
	Up, Down, Top, Bottom                key.Binding
	Start, Stop, Restart, Reload         key.Binding
	RedisThenIndex, Log, Details, Reread key.Binding
}

func newKeys(d *common.Deps) keyMap {
	t := d.T
	nav := common.NewNavKeys(t)
	return keyMap{
		Up:             nav.Up,
		Down:           nav.Down,
		Top:            nav.Top,
		Bottom:         nav.Bottom,
		Start:          key.NewBinding(key.WithKeys("s"), key.WithHelp("s", t("start", "起動"))),
		Stop:           key.NewBinding(key.WithKeys("S"), key.WithHelp("S", t("stop", "停止"))),
		Restart:        key.NewBinding(key.WithKeys("r"), key.WithHelp("r", t("restart", "再起動"))),
		Reload:         key.NewBinding(key.WithKeys("R"), key.WithHelp("R", t("reload", "リロード"))),
		RedisThenIndex: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", t("Redis→index-linux", "Redis→index-linux 再起動"))),
		Log:            key.NewBinding(key.WithKeys("l"), key.WithHelp("l", t("log", "ログ"))),
		Details:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", t("details", "詳細"))),
		Reread:         key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("C-r", t("refresh", "再読込"))),
	}
}
