package forecast

import (
	"math"
	"time"
)

// Disk names.
const (
	DiskRoot    = "root"
	DiskDatadir = "datadir"
	DiskPublic  = "public"
)

// Levels, as the history events and notify messages spell them.
const (
	LevelOK   = "ok"
	LevelWarn = "warn"
	LevelCrit = "crit"
)

// Forecast is one disk's fill rates and when it is full.
type Forecast struct {
	Disk string `json:"disk"`
	Host string `json:"host"`
	Path string `json:"path"`
	// Free is the last sample's free bytes, At its time; HasFree is false
	// when there is no sample in the last day.
	Free    int64     `json:"free_bytes"`
	At      time.Time `json:"at"`
	HasFree bool      `json:"-"`
	Hour    Rate      `json:"-"`
	Day     Rate      `json:"-"`
	// FreedAt: space was freed then (a big rise of free space); the
	// rates are fitted on the samples after it. Zero when none.
	FreedAt time.Time `json:"-"`
	// Level is the judged level (Judge), Prev the one recorded before.
	Level string `json:"level"`
	Prev  string `json:"-"`
}

// Compute fits the rates of one disk's points (oldest first) as of now.
func Compute(points []Point, now time.Time) Forecast {
	var f Forecast
	day := Within(points, now, DayWindow)
	if len(day) == 0 {
		return f
	}
	last := day[len(day)-1]
	f.Free, f.At, f.HasFree = int64(last.V), last.T, true
	after, freed := AfterJump(day)
	f.FreedAt = freed
	f.Hour = Fit(after, now, HourWindow)
	f.Day = Fit(after, now, DayWindow)
	return f
}

// Known says whether there are enough samples for the last hour's rate.
func (f Forecast) Known() bool { return f.Hour.OK }

// Filling says whether the disk fills at the last hour's rate.
func (f Forecast) Filling() bool { return f.Hour.OK && f.Hour.BytesPerHour > 0 }

// HoursLeft is the hours from now until full at the last hour's rate;
// ok is false when the disk is not filling or the rate is unknown.
func (f Forecast) HoursLeft(now time.Time) (hours float64, ok bool) {
	if !f.Filling() {
		return 0, false
	}
	h := float64(f.Free)/f.Hour.BytesPerHour - now.Sub(f.At).Hours()
	return math.Max(h, 0), true
}
