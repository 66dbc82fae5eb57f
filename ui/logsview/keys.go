package logsview

import (
	"charm.land/bubbles/v2/key"

	"github.com/richs/richsops/ui/common"
)

// keyMap holds the Logs tab's bindings (the app's global keys are not reused).
type keyMap struct {
	Picker, Close, NextPane, PrevPane, Layout, Zoom, Pause key.Binding
	Up, Down, PgUp, PgDown, Top, Bottom                    key.Binding
	Search, Next, Prev, Filter, FilterRe, Context, Clear   key.Binding
	NextErr, PrevErr, Wrap, Save, Copy, PickerToggle       key.Binding
}

func newKeys(t func(en, ja string) string) keyMap {
	b := func(keys []string, k, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, help))
	}
	nav := common.NewNavKeys(t)
	return keyMap{
		Picker:   b([]string{"o"}, "o", t("open/close logs", "ログ選択")),
		Close:    b([]string{"x"}, "x", t("close pane", "ペインを閉じる")),
		NextPane: b([]string{"right", "l"}, "→/l", t("next pane", "次のペイン")),
		PrevPane: b([]string{"left", "h"}, "←/h", t("prev pane", "前のペイン")),
		Layout:   b([]string{"L"}, "L", t("side by side/stacked/grid", "横並び/縦積み/格子")),
		Zoom:     b([]string{"z"}, "z", t("full screen", "全画面")),
		Pause:    b([]string{"space", "p"}, "space", t("pause/follow", "一時停止/追従")),
		Up:       nav.Up,
		Down:     nav.Down,
		PgUp:     nav.PgUp,
		PgDown:   nav.PgDown,
		Top:      b([]string{"g", "home"}, "g", t("top (load more)", "先頭（さらに読込）")),
		Bottom:   b([]string{"G", "end"}, "G", t("bottom, follow", "末尾・追従")),
		Search:   b([]string{"/"}, "/", t("search", "検索")),
		Next:     b([]string{"n"}, "n/N", t("next/prev match", "次/前の一致")),
		Prev:     key.NewBinding(key.WithKeys("N")),
		Filter:   b([]string{"f"}, "f", t("filter", "絞込")),
		FilterRe: b([]string{"F"}, "F", t("filter regexp", "正規表現で絞込")),
		Context:  b([]string{"c"}, "c", t("context lines 0/2/5", "前後の行 0/2/5")),
		Clear:    b([]string{"esc"}, "esc", t("clear search/filter", "検索・絞込解除")),
		NextErr:  b([]string{"e"}, "e/E", t("next/prev ERROR", "次/前のERROR")),
		PrevErr:  key.NewBinding(key.WithKeys("E")),
		Wrap:     b([]string{"w"}, "w", t("wrap/cut", "折返し/切詰め")),
		Save:     b([]string{"s"}, "s", t("save shown lines", "表示行を保存")),
		Copy:     b([]string{"y"}, "y", t("copy line (OSC 52)", "行をコピー")),

		PickerToggle: b([]string{"space", "enter"}, "enter", t("open/close", "開く/閉じる")),
	}
}
