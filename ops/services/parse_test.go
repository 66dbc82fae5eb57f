package services

import (
	"strings"
	"testing"
	"time"
)

func TestParseShowAndUnitStatus(t *testing.T) {
	out := "Id=nginx.service\nActiveState=reloading\nSubState=reload\nMainPID=12\nActiveEnterTimestamp=Thu 2026-11-26 10:00:00 UTC\nLoadState=loaded\nCanReload=yes\n\n" +
		"Id=redis.service\nActiveState=activating\nSubState=auto-restart\nMainPID=0\nInactiveEnterTimestamp=Thu 2026-11-26 11:00:00 UTC\nLoadState=loaded\n\n" +
		"Id=x.service\nActiveState=inactive\nSubState=dead\nLoadState=masked\n"
	blocks := ParseShow(out)
	if len(blocks) != 3 {
		t.Fatalf("%d blocks", len(blocks))
	}
	want := []struct {
		state State
		since string
	}{{Degraded, "10:00:00"}, {Degraded, "11:00:00"}, {Down, ""}}
	for i, w := range want {
		st := unitStatus(Spec{}, blocks[i])
		if st.State != w.state {
			t.Errorf("%d: state %s (%s)", i, st.State, st.Detail)
		}
		if got := st.Since.UTC().Format("15:04:05"); w.since != "" && got != w.since {
			t.Errorf("%d: since %s", i, got)
		}
	}
}

func TestParseSystemdTime(t *testing.T) {
	for in, want := range map[string]string{
		"Thu 2026-11-26 10:00:00 UTC":        "2026-11-26 10:00:00",
		"Thu 2026-11-26 10:00:00.123456 UTC": "2026-11-26 10:00:00",
		"@1795730400":                        "2026-11-26 22:00:00",
	} {
		if got := ParseSystemdTime(in).UTC().Format(time.DateTime); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
	for _, in := range []string{"", "n/a", "garbage"} {
		if !ParseSystemdTime(in).IsZero() {
			t.Errorf("%q should be zero", in)
		}
	}
}

func TestParseJList(t *testing.T) {
	out := "banner\n[PM2] Spawning PM2 daemon with pm2_home=/x\n" +
		`[{"pid":7,"name":"index-linux","pm_id":0,"monit":{"memory":1048576,"cpu":1.5},"pm2_env":{"status":"online","pm_uptime":1795730400000,"restart_time":3,"SERVER":"old","NODE_ENV":"production","env":{"SERVER":"srv1","DEBUG":"ibiz:*","N":5}}}]` + "\n"
	procs, err := ParseJList([]byte(out))
	if err != nil || len(procs) != 1 {
		t.Fatalf("%v %v", procs, err)
	}
	p := procs[0]
	if p.Status != "online" || p.PID != 7 || p.Restarts != 3 || p.Memory != 1<<20 || p.CPU != 1.5 || p.Since.Unix() != 1795730400 {
		t.Errorf("proc = %+v", p)
	}
	if p.Env["SERVER"] != "srv1" || p.Env["NODE_ENV"] != "production" || p.Env["N"] != "5" {
		t.Errorf("env = %v", p.Env)
	}
	if _, ok := p.Env["status"]; ok {
		t.Error("pm2's own settings leaked into the env")
	}
	if m := EnvMismatch(map[string]string{"SERVER": "srv1", "DEBUG": "x", "MISSING": "y"}, p.Env); len(m) != 2 || !strings.HasPrefix(m[0], "DEBUG") {
		t.Errorf("mismatch = %q", m)
	}
	if _, err := ParseJList([]byte("[PM2] only chatter\n")); err == nil {
		t.Error("no JSON accepted")
	}
}

func TestPM2ArgvPutsEnvBeforeThePM2Program(t *testing.T) {
	s := Spec{}
	s.App, s.PM2, s.Env = "index-linux", []string{"sudo", "-u", "hai", "pm2"}, map[string]string{"SERVER": "srv1", "DEBUG": "ibiz:*"}
	got := strings.Join(PM2RestartArgv(s), " ")
	if got != "sudo -u hai env DEBUG=ibiz:* SERVER=srv1 pm2 restart index-linux --update-env" {
		t.Errorf("argv = %s", got)
	}
}

func FuzzParseShow(f *testing.F) {
	f.Add("Id=a.service\nActiveState=active\nSubState=running\nMainPID=1\n\nId=b\n")
	f.Add("=\n\n\nx")
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range ParseShow(s) {
			st := unitStatus(Spec{}, b)
			switch st.State {
			case Up, Down, Degraded, Unknown:
			default:
				t.Fatalf("state %q", st.State)
			}
		}
	})
}

func FuzzParseJList(f *testing.F) {
	f.Add([]byte(`[{"pid":7,"name":"a","pm2_env":{"status":"online","env":{"A":"b"}}}]`))
	f.Add([]byte("[PM2] x\n[]\n"))
	f.Add([]byte(`[{"pm2_env":{"pm_uptime":"x","env":[1]}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		procs, err := ParseJList(b)
		if err != nil {
			return
		}
		for _, p := range procs {
			_ = pm2ProcStatus(Spec{}, p, true)
		}
	})
}
