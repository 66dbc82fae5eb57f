package forecastcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	_ "github.com/richs/richsops/cli/checkcmd"
	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/sanitize/cells"
	"github.com/richs/richsops/ops/sanitize/sanitizetest"
)

func setup(t *testing.T) (cfgPath, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = filepath.Join(dir, "history.db")
	cfgPath = filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(`lang = "en"
audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
state_dir = "`+filepath.Join(dir, "state")+`"
lock_dir = "`+filepath.Join(dir, "lock")+`"
[history]
path = "`+dbPath+`"
[database]
datadir = "/var/lib/mysql"
`), 0o644)
	return cfgPath, dbPath
}

func runCLI(cfgPath string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(append([]string{"--config", cfgPath}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestForecastCommand(t *testing.T) {
	const gib = 1 << 30
	cfgPath, dbPath := setup(t)
	// No database: nothing to forecast, said; Zabbix gets -1.
	if code, out, _ := runCLI(cfgPath, "forecast"); code != 0 || !strings.Contains(out, "no history database") {
		t.Fatalf("no database: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(cfgPath, "forecast", "--zabbix", "datadir"); code != 0 || out != "-1\n" {
		t.Fatalf("no database, zabbix: exit %d %q", code, out)
	}
	now := time.Now()
	filltest.Add(t, dbPath, filltest.Hour(history.MetricFreeDatadir, "local", now, 12*gib, 2.4*gib)) // 5 h
	filltest.Add(t, dbPath, filltest.Hour(history.MetricFreeRoot, "local", now, 40*gib, -gib))       // not filling

	code, out, errb := runCLI(cfgPath, "forecast")
	if code != 0 || !strings.Contains(out, "datadir /var/lib/mysql full in about 5.0 h (12.0 GiB free, filling 2.4 GiB/h over the last hour)") ||
		!strings.Contains(out, "WARN") || !strings.Contains(out, "disk / not filling") {
		t.Errorf("text: exit %d\n%s%s", code, out, errb)
	}
	// In Japanese the columns line up in terminal cells.
	code, out, _ = runCLI(cfgPath, "--lang", "ja", "forecast")
	lines := strings.Split(out, "\n")
	if code != 0 || len(lines) < 3 || !strings.Contains(out, "は約 5.0 時間で満杯") ||
		cells.Width(lines[0][:strings.Index(lines[0], "ホスト")]) != cells.Width(lines[1][:strings.Index(lines[1], "local")]) {
		t.Errorf("ja: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(cfgPath, "forecast", "--json")
	var o struct {
		Disks []map[string]any `json:"disks"`
	}
	if err := json.Unmarshal([]byte(out), &o); code != 0 || err != nil || len(o.Disks) != 2 {
		t.Fatalf("json: exit %d %v\n%s", code, err, out)
	}
	root, dd := o.Disks[0], o.Disks[1]
	if root["disk"] != "root" || root["hours_until_full"] != nil || root["level"] != "ok" || root["rate_1h_bytes_per_hour"].(float64) > -0.9*gib {
		t.Errorf("root %v", root)
	}
	if dd["disk"] != "datadir" || dd["level"] != "warn" || dd["free_bytes"].(float64) != 12*gib {
		t.Errorf("datadir %v", dd)
	}
	if h, _ := dd["hours_until_full"].(float64); h < 4.9 || h > 5.0 {
		t.Errorf("datadir hours %v", dd["hours_until_full"])
	}
	code, out, _ = runCLI(cfgPath, "forecast", "--zabbix", "datadir")
	if v, err := strconv.ParseFloat(strings.TrimSpace(out), 64); code != 0 || err != nil || v < 4.9 || v > 5.0 {
		t.Errorf("zabbix datadir: exit %d %q", code, out)
	}
	for _, disk := range []string{"root", "public"} { // not filling; no samples
		if code, out, _ := runCLI(cfgPath, "forecast", "--zabbix="+disk); code != 0 || out != "-1\n" {
			t.Errorf("zabbix %s: exit %d %q", disk, code, out)
		}
	}
	for _, args := range [][]string{{"--zabbix"}, {"--zabbix", "home"}, {"--bogus"}} {
		if code, _, _ := runCLI(cfgPath, append([]string{"forecast"}, args...)...); code != cli.ExitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	// The level was recorded once, by the first judging run.
	s, err := history.OpenReader(context.Background(), dbPath, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs, _ := s.Events(context.Background(), history.EventForecast, time.Time{})
	if len(evs) != 1 || evs[0].Level != "warn" || evs[0].Source != "forecast" {
		t.Errorf("events %+v", evs)
	}
}

// A host name from the history database full of hostile strings (the
// samples carry the name the watch service was given) never reaches the
// terminal as it is: in the table, the texts and the JSON.
func TestForecastHostileHost(t *testing.T) {
	cfgPath, dbPath := setup(t)
	bad := sanitizetest.Joined()
	filltest.Add(t, dbPath, filltest.Hour(history.MetricFreeDatadir, bad, time.Now(), 1<<30, 1<<30))
	for _, args := range [][]string{{"forecast"}, {"forecast", "--json"}, {"forecast", "--zabbix", "datadir"}, {"check", "--only", "forecast"}} {
		code, out, errb := runCLI(cfgPath, args...)
		name := strings.Join(args, " ")
		sanitizetest.Check(t, name+" (stdout)", out)
		sanitizetest.Check(t, name+" (stderr)", errb)
		if code == cli.ExitUsage && args[0] != "check" { // check: 2 is CRIT
			t.Errorf("%s: exit 2: %s", name, errb)
		}
		if args[0] == "forecast" && len(args) < 3 && !strings.Contains(out, `\x1b`) && !strings.Contains(out, `\u001b`) {
			t.Errorf("%s does not show the hostile host (escaped), so proves nothing:\n%s", name, out)
		}
	}
}
