package forecast

import "time"

// Summary is a forecast as `richsops forecast --json` and `richsops db
// status --json` give it: the rates and hours are null where they are
// unknown (too few samples) or, for the hours, the disk is not filling.
type Summary struct {
	Disk      string    `json:"disk"`
	Host      string    `json:"host"`
	Path      string    `json:"path"`
	FreeBytes int64     `json:"free_bytes"` // the last sample's
	SampledAt time.Time `json:"sampled_at"`
	// Rates of filling, bytes an hour (negative: free space grows), by
	// least squares over the last hour and day after FreedAt.
	Rate1h    *float64 `json:"rate_1h_bytes_per_hour"`
	Rate24h   *float64 `json:"rate_24h_bytes_per_hour"`
	Samples1h int      `json:"samples_1h"`
	// HoursUntilFull at the last hour's rate; null when not filling or
	// unknown.
	HoursUntilFull *float64   `json:"hours_until_full"`
	FreedAt        *time.Time `json:"freed_at,omitempty"` // space freed then; absent when not in the last day
	Level          string     `json:"level"`
	Text           string     `json:"text"`
}

// Summary of f as of now, its text in t's language.
func (f Forecast) Summary(t func(en, ja string) string, now time.Time) Summary {
	s := Summary{Disk: f.Disk, Host: f.Host, Path: f.Path, Samples1h: f.Hour.N, Level: f.Level, Text: f.Text(t, now)}
	if f.HasFree {
		s.FreeBytes, s.SampledAt = f.Free, f.At
	}
	s.Rate1h, s.Rate24h = f.Hour.ptr(), f.Day.ptr()
	if h, ok := f.HoursLeft(now); ok {
		s.HoursUntilFull = &h
	}
	if !f.FreedAt.IsZero() {
		at := f.FreedAt
		s.FreedAt = &at
	}
	return s
}

func (r Rate) ptr() *float64 {
	if !r.OK {
		return nil
	}
	v := r.BytesPerHour
	return &v
}

// ZabbixHours is the one number of `richsops forecast --zabbix DISK`: hours
// until full at the last hour's rate, -1 when not filling or unknown.
func (f Forecast) ZabbixHours(now time.Time) float64 {
	if h, ok := f.HoursLeft(now); ok {
		return h
	}
	return -1
}
