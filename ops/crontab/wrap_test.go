package crontab

import (
	"strings"
	"testing"
)

// Wrap inserts only the wrapper, unwrap restores the file byte for byte,
// and pause and resume still find the wrapped lines.
func TestWrapUnwrapByteExact(t *testing.T) {
	const self = "/usr/local/bin/richsops"
	for _, tc := range []struct {
		name, line, want string
	}{
		{"plain", "0 3 * * * root python manage.py check_item_mercari 2 4 --max-workers 14 >> /var/www/richs/logs/inventory-mercari.log 2>&1",
			"0 3 * * * root " + self + " jobs exec check_item_mercari -- python manage.py check_item_mercari 2 4 --max-workers 14 >> /var/www/richs/logs/inventory-mercari.log 2>&1"},
		{"cd first", "0 3 * * * richs cd /var/www/richs && LANG=ja_JP.UTF-8 /usr/bin/python3 manage.py check_item_mercari 2 4\r",
			"0 3 * * * richs cd /var/www/richs && LANG=ja_JP.UTF-8 " + self + " jobs exec check_item_mercari -- /usr/bin/python3 manage.py check_item_mercari 2 4\r"},
		{"paused", PausedPrefix + "30 4 * * 1-5 root  python  /var/www/richs/manage.py check_item_mercari",
			PausedPrefix + "30 4 * * 1-5 root  " + self + " jobs exec check_item_mercari -- python  /var/www/richs/manage.py check_item_mercari"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := "# m h dom mon dow user command\nSHELL=/bin/bash\n" + tc.line + "\n0 5 * * * root python manage.py update_item_mercari\n"
			f := Parse([]byte(orig))
			state := f.JobState("check_item_mercari")
			e, err := f.Wrap(self, "check_item_mercari")
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Replace(orig, tc.line, tc.want, 1)
			if string(e.New) != want {
				t.Fatalf("wrapped:\n%q\nwant\n%q", e.New, want)
			}
			w := Parse(e.New)
			if w.JobState("check_item_mercari") != state || w.JobState("update_item_mercari") != StateActive {
				t.Errorf("state after wrap %s, want %s", w.JobState("check_item_mercari"), state)
			}
			if _, err := w.Wrap(self, "check_item_mercari"); err == nil {
				t.Error("wrapping twice changed something")
			}
			if state == StateActive {
				p, err := w.Pause("check_item_mercari")
				if err != nil {
					t.Fatalf("pause a wrapped line: %v", err)
				}
				r, err := Parse(p.New).Resume("check_item_mercari")
				if err != nil || string(r.New) != string(e.New) {
					t.Fatalf("resume a wrapped line: %v %q", err, r.New)
				}
			}
			u, err := w.Unwrap("check_item_mercari")
			if err != nil || string(u.New) != orig {
				t.Fatalf("unwrap: %v\n%q\nwant\n%q", err, u.New, orig)
			}
		})
	}
}

func TestWrapRefusesWhatItCannotWrapSafely(t *testing.T) {
	for _, line := range []string{
		`0 3 * * * root sh -c "python manage.py check_item_mercari"`,
		`0 3 * * * root exec python manage.py check_item_mercari`,
		`0 3 * * * root $PY manage.py check_item_mercari`,
	} {
		f := Parse([]byte(line + "\n"))
		if _, err := f.Wrap("richsops", "check_item_mercari"); err == nil {
			t.Errorf("%q: wrapped", line)
		}
	}
	if _, err := Parse([]byte("0 3 * * * root true\n")).Wrap("richsops", "check_item_mercari"); err == nil {
		t.Error("a job without lines: wrapped")
	}
}

// Whatever the crontab, a wrap that succeeds is undone byte for byte by
// unwrap and leaves the job's state as it was.
func FuzzWrapUnwrap(f *testing.F) {
	for _, s := range []string{
		"0 3 * * * root python manage.py check_item_mercari 2 4 >> /var/log/x.log 2>&1\n",
		"0 3 * * * richs cd /app && LANG=C python manage.py check_item_mercari\r\n# x\n",
		PausedPrefix + "0 3 * * * root python manage.py check_item_mercari",
		"0 3 * * * root a; b | python manage.py check_item_mercari ; c\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := Parse([]byte(s))
		e, err := file.Wrap("/usr/local/bin/richsops", "check_item_mercari")
		if err != nil {
			return
		}
		w := Parse(e.New)
		if w.JobState("check_item_mercari") != file.JobState("check_item_mercari") {
			t.Fatalf("state %s -> %s", file.JobState("check_item_mercari"), w.JobState("check_item_mercari"))
		}
		u, err := w.Unwrap("check_item_mercari")
		if err != nil || string(u.New) != s {
			t.Fatalf("unwrap: %v\n%q\nwant\n%q", err, u.New, s)
		}
	})
}
