package crontab

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// realWorld is /etc/crontab as it looks on the box and in the wild: CRLF
// here and there, tabs, variables, macros, ranges, names, other users, a
// commented-out line someone else left, and no final newline.
const realWorld = "SHELL=/bin/bash\n" +
	"PATH=/sbin:/bin:/usr/sbin:/usr/bin\n" +
	"MAILTO = root\n" +
	"\n" +
	"# For details see man 4 crontabs\n" +
	"# .---------------- minute (0 - 59)\n" +
	"# *  *  *  *  * user-name  command to be executed\n" +
	"0 3,15 * * * richs cd /var/www/richs && python manage.py check_item_yahoo 2 4 --max-workers 14 >> logs/inventory-yahoo.log 2>&1\r\n" +
	"30\t3,15\t*\t*\t*\trichs\tcd /var/www/richs && python manage.py check_item_mercari 2 4 --max-workers 14\n" +
	"0 5 * * * richs cd /var/www/richs && python manage.py check_item_mercari_v2 2 4\n" +
	"*/15 8-18/2 1-15 jan-jun mon-fri richs /var/www/richs/manage.py update_item_yahoo\n" +
	"# 0 4 * * * richs cd /var/www/richs && python manage.py update_item_mercari 2 4\n" +
	"@reboot root /usr/local/bin/start-things\n" +
	"@daily backup date +%Y%m%d > /tmp/stamp\n" +
	"0 6 * * sun hai python manage.py check_item_mercari_old\n" +
	"this line is broken\n" +
	"45 23 * * 7 richs python /var/www/richs/manage.py update_item_mercari --dry-run"

func TestParseRealWorld(t *testing.T) {
	f := Parse([]byte(realWorld))
	// The RHEL header line "# *  *  *  *  * user-name  command" is a
	// well-formed entry commented out: Commented, harmless.
	want := []Kind{Env, Env, Env, Blank, Comment, Comment, Commented, Entry, Entry, Entry, Entry, Commented, Entry, Entry, Entry, Invalid, Entry}
	if len(f.Lines) != len(want) {
		t.Fatalf("got %d lines, want %d", len(f.Lines), len(want))
	}
	for i, k := range want {
		if f.Lines[i].Kind != k {
			t.Errorf("line %d %q: kind %v, want %v", i+1, f.Lines[i].Text, f.Lines[i].Kind, k)
		}
	}
	if l := f.Lines[8]; l.User != "richs" || !strings.HasPrefix(l.Command, "cd /var/www/richs") || l.Schedule.Spec != "30 3,15 * * *" {
		t.Errorf("tab line parsed as %+v", l)
	}
	if l := f.Lines[7]; strings.HasSuffix(l.Command, "\r") || !strings.HasSuffix(l.Text, "\r") {
		t.Errorf("CRLF line: command %q text %q", l.Command, l.Text)
	}
	if last := f.Lines[len(f.Lines)-1]; last.EOL != "" {
		t.Errorf("last line EOL %q", last.EOL)
	}
	if !f.Lines[12].Schedule.Reboot || f.Lines[13].Command != "date +%Y%m%d > /tmp/stamp" {
		t.Errorf("macros: %+v %+v", f.Lines[12], f.Lines[13])
	}
}

func TestJobLines(t *testing.T) {
	f := Parse([]byte(realWorld))
	cases := []struct {
		job   string
		lines []int
		state State
	}{
		{"check_item_yahoo", []int{8}, StateActive},
		{"check_item_mercari", []int{9}, StateActive}, // not _v2, not _old
		{"check_item_mercari_v2", []int{10}, StateActive},
		{"update_item_yahoo", []int{11}, StateActive},
		{"update_item_mercari", []int{12, 17}, StateActive},
		{"nothing", nil, StateAbsent},
		{"check_item", nil, StateAbsent},
	}
	for _, c := range cases {
		var got []int
		for _, l := range f.JobLines(c.job) {
			got = append(got, l.Num)
		}
		if !equalInts(got, c.lines) {
			t.Errorf("%s: lines %v, want %v", c.job, got, c.lines)
		}
		if st := f.JobState(c.job); st != c.state {
			t.Errorf("%s: state %s, want %s", c.job, st, c.state)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPauseResume(t *testing.T) {
	f := Parse([]byte(realWorld))
	e, err := f.Pause("check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Changed) != 1 || e.Changed[0].Num != 9 {
		t.Fatalf("changed %+v", e.Changed)
	}
	p := Parse(e.New)
	if st := p.JobState("check_item_mercari"); st != StatePaused {
		t.Fatalf("after pause: %s", st)
	}
	if st := p.JobState("check_item_mercari_v2"); st != StateActive {
		t.Fatalf("v2 touched: %s", st)
	}
	if _, err := p.Pause("check_item_mercari"); err == nil {
		t.Fatal("second pause accepted")
	}
	r, err := p.Resume("check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.New, []byte(realWorld)) {
		t.Fatalf("resume did not restore:\n%s", r.New)
	}
	// update_item_mercari: one active line is paused; the line someone else
	// commented out is never uncommented.
	e, err = f.Pause("update_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Changed) != 1 || e.Changed[0].Num != 17 {
		t.Fatalf("changed %+v", e.Changed)
	}
	r, err = Parse(e.New).Resume("update_item_mercari")
	if err != nil || !bytes.Equal(r.New, []byte(realWorld)) {
		t.Fatalf("resume: %v", err)
	}
	if !strings.Contains(string(r.New), "\n# 0 4 * * * richs cd") {
		t.Fatal("foreign comment changed")
	}
	// A job only someone else commented out cannot be resumed by richsops.
	only := Parse([]byte("# 0 4 * * * richs python manage.py update_item_mercari\n"))
	if _, err := only.Resume("update_item_mercari"); err == nil {
		t.Fatal("resumed a line richsops did not pause")
	}
	if _, err := f.Resume("check_item_yahoo"); err == nil {
		t.Fatal("resume of an active job accepted")
	}
	if _, err := f.Pause("nothing"); err == nil {
		t.Fatal("pause of an absent job accepted")
	}
}

func TestScheduleNext(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, jst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ spec, from, want string }{
		{"0 3,15 * * *", "2026-11-27 03:00", "2026-11-27 15:00"},
		{"0 3,15 * * *", "2026-11-27 15:30", "2026-11-28 03:00"},
		{"*/15 * * * *", "2026-11-27 03:01", "2026-11-27 03:15"},
		{"5/20 * * * *", "2026-11-27 03:26", "2026-11-27 03:45"},
		{"0 8-18/4 * * *", "2026-11-27 13:00", "2026-11-27 16:00"},
		{"0 0 * * sun", "2026-11-27 10:00", "2026-11-29 00:00"},
		{"0 0 * * 7", "2026-11-27 10:00", "2026-11-29 00:00"},
		{"0 0 1 * mon", "2026-11-27 10:00", "2026-11-30 00:00"}, // dom OR dow
		{"0 0 29 feb *", "2026-11-27 10:00", "2028-02-29 00:00"},
		{"30 4 1 jan-mar *", "2026-11-27 10:00", "2027-01-01 04:30"},
		{"@hourly", "2026-11-27 10:59", "2026-11-27 11:00"},
		{"@daily", "2026-11-27 10:00", "2026-11-28 00:00"},
		{"@weekly", "2026-11-27 10:00", "2026-11-29 00:00"},
		{"@monthly", "2026-11-27 10:00", "2026-12-01 00:00"},
		{"@yearly", "2026-11-27 10:00", "2027-01-01 00:00"},
	}
	for _, c := range cases {
		s, err := ParseSchedule(c.spec)
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		got, ok := s.Next(at(c.from))
		if !ok || !got.Equal(at(c.want)) {
			t.Errorf("%s after %s: %v %v, want %s", c.spec, c.from, got, ok, c.want)
		}
	}
	if s, _ := ParseSchedule("@reboot"); !s.Reboot {
		t.Error("@reboot")
	} else if _, ok := s.Next(time.Now()); ok {
		t.Error("@reboot has a next time")
	}
	if s, _ := ParseSchedule("0 0 31 feb *"); true {
		if _, ok := s.Next(time.Now()); ok {
			t.Error("31 Feb fires")
		}
	}
	for _, bad := range []string{"60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "@often", "* * * *"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestBetween(t *testing.T) {
	s, _ := ParseSchedule("0 3,15 * * *")
	from := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	got := s.Between(from, from.Add(48*time.Hour), 10)
	if len(got) != 4 {
		t.Fatalf("%v", got)
	}
}

// FuzzPauseResume: pause then resume gives back the same bytes, and pause
// touches no line other than the job's.
func FuzzPauseResume(f *testing.F) {
	f.Add([]byte(realWorld), "check_item_mercari")
	f.Add([]byte("0 3 * * * richs python manage.py x\r\n#richsops-paused# 0 3 * * * richs python manage.py x"), "x")
	f.Add([]byte("\t 0 3 * * *\troot  manage.py  j % x\n\n"), "j")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		file := Parse(data)
		e, err := file.Pause(name)
		if err != nil {
			return
		}
		before := Parse(data).Lines
		after := Parse(e.New).Lines
		if len(before) != len(after) {
			t.Fatalf("line count %d -> %d", len(before), len(after))
		}
		changed := map[int]bool{}
		for _, c := range e.Changed {
			changed[c.Num] = true
		}
		for i := range before {
			if before[i].Text != after[i].Text || before[i].EOL != after[i].EOL {
				if !changed[before[i].Num] {
					t.Fatalf("line %d touched: %q -> %q", i+1, before[i].Text, after[i].Text)
				}
				if !RunsJob(before[i].Command, name) || before[i].Kind != Entry {
					t.Fatalf("line %d is not the job's: %q", i+1, before[i].Text)
				}
			}
		}
		if Parse(e.New).JobState(name) != StatePaused {
			t.Fatalf("not paused after pause: %q", e.New)
		}
		r, err := Parse(e.New).Resume(name)
		if err != nil {
			t.Fatalf("resume: %v", err)
		}
		if !bytes.Equal(r.New, data) {
			t.Fatalf("round trip:\n%q\n%q", data, r.New)
		}
	})
}

// FuzzParse: parsing keeps every byte (the lines put back together are the
// input) and never panics, whatever the file holds.
func FuzzParse(f *testing.F) {
	f.Add([]byte(realWorld))
	f.Add([]byte("@reboot\troot\tx\r\n*/5 1-5/2 * jan-dec/3 mon,wed-fri u c %d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := Parse(data)
		var b bytes.Buffer
		for _, l := range file.Lines {
			b.WriteString(l.Text + l.EOL)
			if l.Kind == Entry {
				l.Schedule.Next(time.Date(2026, 2, 28, 23, 59, 0, 0, time.UTC))
			}
		}
		if !bytes.Equal(b.Bytes(), data) {
			t.Fatalf("lost bytes: %q", data)
		}
	})
}
