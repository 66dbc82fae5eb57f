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
