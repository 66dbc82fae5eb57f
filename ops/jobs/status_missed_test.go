package jobs

import (
	"testing"
	"time"

	"github.com/richs/richsops/ops/crontab"
)

func TestFindMissedEveryMinuteReportsTheLatestRun(t *testing.T) {
	s, err := crontab.ParseSchedule("* * * * *")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 12, 0, 30, 0, time.UTC)
	m := FindMissed([]crontab.Schedule{s}, now, time.Time{}, now.Add(-48*time.Hour), nil)
	if m == nil {
		t.Fatal("no MISSED for a job that ran nowhere in two days")
	}
	if want := time.Date(2026, 11, 27, 11, 55, 0, 0, time.UTC); !m.At.Equal(want) {
		t.Errorf("missed at %v, want the latest time past the grace, %v", m.At, want)
	}
}

// The reason a run counts as missed is in the console's language.
func TestMissedReasonJapanese(t *testing.T) {
	ja := func(_, ja string) string { return ja }
	at := time.Date(2026, 11, 27, 3, 0, 0, 0, time.Local)
	m := &Missed{At: at}
	if got := missedReason(ja, m, at.Add(time.Hour)); got != "その時刻はマシンが停止していました（11-27 04:00 に起動）" {
		t.Errorf("down: %q", got)
	}
	if got := missedReason(ja, m, time.Time{}); got != "それ以降プロセスもログの動きもありません" {
		t.Errorf("nothing ran: %q", got)
	}
	if got := missedReason(nil, m, time.Time{}); got != "no process and no log activity since then" {
		t.Errorf("en: %q", got)
	}
}
