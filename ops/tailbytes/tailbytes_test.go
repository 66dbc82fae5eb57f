package tailbytes

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/richs/richsops/ops/host"
)

func TestReadStartsAtALine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte("first line\nsecond line\nthird\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := host.NewLocal()
	for _, c := range []struct {
		max  int64
		want string
		cut  bool
	}{
		{100, "first line\nsecond line\nthird\n", false},
		{29, "first line\nsecond line\nthird\n", false},
		{28, "second line\nthird\n", true},
		{20, "second line\nthird\n", true}, // "e\n" is a partial line: dropped
		{18, "second line\nthird\n", true}, // starts exactly at a line
		{17, "third\n", true},
		{6, "third\n", true},
		{5, "", true}, // the read starts inside "third": no whole line
	} {
		data, cut, err := Read(context.Background(), h, path, c.max)
		if err != nil || string(data) != c.want || cut != c.cut {
			t.Errorf("max %d: %q cut=%v err=%v, want %q cut=%v", c.max, data, cut, err, c.want, c.cut)
		}
	}
	if _, _, err := Read(context.Background(), h, filepath.Dir(path), 10); err == nil {
		t.Error("a folder was read")
	}
}
