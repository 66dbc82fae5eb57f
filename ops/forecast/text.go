package forecast

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sanitize"
)

func english(en, _ string) string { return en }

// Name is the disk with its folder: "datadir /var/lib/mysql", "disk /"
// for root (as the host's disk line says it).
func (f Forecast) Name() string {
	if f.Disk == DiskRoot {
		return "disk /"
	}
	if f.Path == "" {
		return f.Disk
	}
	return f.Disk + " " + sanitize.String(f.Path)
}

// FmtHours is 5.2 h under ten hours, 30 h above, in t's language.
func FmtHours(t func(en, ja string) string, h float64) string {
	if h < 10 {
		return fmt.Sprintf(t("%.1f h", "%.1f 時間"), h)
	}
	return fmt.Sprintf(t("%.0f h", "%.0f 時間"), h)
}

// PerHour is a rate as 2.3 GiB/h.
func PerHour(bytesPerHour float64) string { return human.Bytes(int64(math.Round(bytesPerHour))) + "/h" }

// Text says the forecast in one line, in t's language: "datadir
// /var/lib/mysql full in about 5.2 h (12 GiB free, filling 2.3 GiB/h over
// the last hour)"; not filling, or too few samples, it says so.
func (f Forecast) Text(t func(en, ja string) string, now time.Time) string {
	name := f.Name()
	if !f.HasFree {
		return fmt.Sprintf(t("%s: no sample in the last day", "%s: 直近 1 日のサンプルがありません"), name)
	}
	free := human.Bytes(f.Free)
	if !f.Known() {
		if !f.FreedAt.IsZero() {
			return fmt.Sprintf(t("%s: %s free, too few samples since space was freed at %s to forecast (%d)",
				"%s: 空き %s、%s に空きが増えてからのサンプルが少なく予測できません（%d 個）"), name, free, f.FreedAt.Local().Format("15:04"), f.Hour.N)
		}
		return fmt.Sprintf(t("%s: %s free, too few samples in the last hour to forecast (%d)",
			"%s: 空き %s、直近 1 時間のサンプルが少なく予測できません（%d 個）"), name, free, f.Hour.N)
	}
	h, ok := f.HoursLeft(now)
	if !ok {
		return fmt.Sprintf(t("%s not filling (%s free, %s over the last hour)", "%s は増加していません（空き %s、直近 1 時間で %s）"),
			name, free, signedRate(-f.Hour.BytesPerHour))
	}
	return fmt.Sprintf(t("%s full in about %s (%s free, filling %s over the last hour)",
		"%s は約 %sで満杯（空き %s、直近 1 時間の増加 %s）"), name, FmtHours(t, h), free, PerHour(f.Hour.BytesPerHour))
}

// signedRate is +1.2 GiB/h for free space growing.
func signedRate(freePerHour float64) string {
	s := PerHour(freePerHour)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + " free"
}

// Purge is the default purge worked out against a forecast: what it frees
// and how many hours more that gives at the last hour's rate.
type Purge struct {
	To    string `json:"to"`
	Logs  int    `json:"logs"`
	Bytes int64  `json:"frees_bytes"`
	// Hours more at the last hour's rate; nil when the disk is not filling.
	Hours *float64 `json:"more_hours"`
}

// PlanPurge works out the default purge (mysql.DefaultPurgeTo: keeps the
// active log and the one before) over logs, oldest first; ok false when
// there is nothing to purge.
func PlanPurge(logs []mysql.Binlog, f Forecast) (Purge, bool) {
	to, err := mysql.DefaultPurgeTo(logs, nil)
	if err != nil {
		return Purge{}, false
	}
	p := Purge{To: to}
	for _, b := range logs {
		if b.Name == to {
			break
		}
		p.Logs++
		p.Bytes += b.Size
	}
	if f.Filling() {
		h := float64(p.Bytes) / f.Hour.BytesPerHour
		p.Hours = &h
	}
	return p, true
}

// Text is "purge to mysql-bin.000123 frees 12.0 GiB, about 30 h more at the
// current rate".
func (p Purge) Text(t func(en, ja string) string) string {
	to := sanitize.String(p.To)
	if p.Hours == nil {
		return fmt.Sprintf(t("purge to %s frees %s", "%s までの削除で %s 空きます"), to, human.Bytes(p.Bytes))
	}
	return fmt.Sprintf(t("purge to %s frees %s, about %s more at the current rate", "%s までの削除で %s 空き、現在の増加ペースで約 %s延びます"),
		to, human.Bytes(p.Bytes), FmtHours(t, *p.Hours))
}
