package config

import (
	"errors"
	"io/fs"
	"testing"
)

var errSentinel = errors.New("sentinel")

// TestErrorf: in English an error is what fmt.Errorf makes; in Japanese it
// reads ja and still is, for errors.Is and the audit log, the English one.
func TestErrorf(t *testing.T) {
	ja := (&Config{Lang: "ja"}).T
	en := (&Config{Lang: "en"}).T
	for _, tc := range []struct {
		name string
		err  error
		text string
		is   error // errors.Is must hold
	}{
		{"nil T", Errorf(nil, "%s: %w (pids %s)", "%[1]s: 実行中（pid %[3]s）", "job", errSentinel, "1, 2"),
			"job: sentinel (pids 1, 2)", errSentinel},
		{"en", Errorf(en, "%s: %w (pids %s)", "%[1]s: 実行中（pid %[3]s）", "job", errSentinel, "1, 2"),
			"job: sentinel (pids 1, 2)", errSentinel},
		{"ja skips the sentinel", Errorf(ja, "%s: %w (pids %s)", "%[1]s: 実行中（pid %[3]s）", "job", errSentinel, "1, 2"),
			"job: 実行中（pid 1, 2）", errSentinel},
		{"ja keeps a %w", Errorf(ja, "saved, but %s failed: %w", "保存しましたが %s に失敗: %w", "x", fs.ErrPermission),
			"保存しましたが x に失敗: permission denied", fs.ErrPermission},
		{"Translate en", Translate(en, errSentinel, "番兵"), "sentinel", errSentinel},
		{"Translate ja", Translate(ja, errSentinel, "番兵"), "番兵", errSentinel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.text {
				t.Errorf("text %q, want %q", got, tc.text)
			}
			if !errors.Is(tc.err, tc.is) {
				t.Errorf("errors.Is lost %v", tc.is)
			}
			var tr interface{ English() string }
			if errors.As(tc.err, &tr) && tr.English() == tc.text {
				t.Errorf("English() = the translated text %q", tc.text)
			}
		})
	}
	if Translate(nil, errSentinel, "番兵") != errSentinel {
		t.Error("Translate in English is not the sentinel itself")
	}
	if e, ok := Errorf(ja, "%d left", "残り %d", 3).(interface{ English() string }); !ok || e.English() != "3 left" {
		t.Errorf("English() of a Japanese error: %v", e)
	}
	// A Japanese error wrapping another: Japanese all through, its English
	// twin English all through, and the inner sentinel still found.
	inner := Errorf(ja, "%s: %w", "%[1]s: 番兵", "x", errSentinel)
	outer := Errorf(ja, "dump failed: %w", "ダンプに失敗: %w", inner)
	if e := outer.(interface{ English() string }); outer.Error() != "ダンプに失敗: x: 番兵" || e.English() != "dump failed: x: sentinel" || !errors.Is(outer, errSentinel) {
		t.Errorf("nested: %q / %q", outer, e.English())
	}
}
