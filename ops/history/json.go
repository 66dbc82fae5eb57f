package history

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RunJSON is one run as `richsops jobs runs --json` prints it: what the
// console reads back from another host's richsops.
type RunJSON struct {
	Job       string         `json:"job"`
	Host      string         `json:"host"`
	Start     time.Time      `json:"start"`
	End       *time.Time     `json:"end"`        // null while running
	DurationS *float64       `json:"duration_s"` // null while running
	ExitCode  *int           `json:"exit_code"`  // null when unknown
	Trigger   string         `json:"trigger"`
	User      string         `json:"user"` // "root (sudo: hai)" when started through sudo
	KilledBy  string         `json:"killed_by"`
	Counts    map[string]int `json:"counts"`
	Flags     []string       `json:"flags"`
}

// sudoFmt joins the OS user and the sudo user in RunJSON.User.
const sudoFmt = "%s (sudo: %s)"

// JSON is j as `jobs runs --json` prints it.
func (j Judged) JSON() RunJSON {
	r := RunJSON{Job: j.Job, Host: j.Host, Start: j.Start, ExitCode: j.ExitCode, Trigger: j.Trigger, User: j.User,
		KilledBy: j.KilledBy, Counts: j.Counts, Flags: j.Flags}
	if j.SudoUser != "" {
		r.User = fmt.Sprintf(sudoFmt, j.User, j.SudoUser)
	}
	if !j.End.IsZero() {
		end, d := j.End, j.Duration().Seconds()
		r.End, r.DurationS = &end, &d
	}
	return r
}

// Judged is r read back: the run with the flags its host judged it by
// (that host knows its own limits); the baseline is left to the reader.
func (r RunJSON) Judged() Judged {
	// Shown in this machine's time, as its own runs are.
	run := Run{Job: r.Job, Host: r.Host, Start: r.Start.Local(), ExitCode: r.ExitCode, Trigger: r.Trigger, User: r.User,
		KilledBy: r.KilledBy, Counts: nonNilMap(r.Counts), Argv: []string{}, LogFrom: -1,
		Overlap: slices.Contains(r.Flags, FlagOverlap)}
	if u, sudo, ok := strings.Cut(r.User, " (sudo: "); ok && strings.HasSuffix(sudo, ")") {
		run.User, run.SudoUser = u, strings.TrimSuffix(sudo, ")")
	}
	if r.End != nil {
		run.End = r.End.Local()
	}
	flags := r.Flags
	if flags == nil {
		flags = []string{}
	}
	return Judged{Run: run, Flags: flags}
}

// ParseRunsJSON reads the output of `jobs runs --json`, oldest first as
// printed.
func ParseRunsJSON(data []byte) ([]Judged, error) {
	var rs []RunJSON
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, err
	}
	out := make([]Judged, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Judged())
	}
	return out, nil
}

// Group is judged runs (oldest first, as ParseRunsJSON gives them) as the
// console shows each job: its last n runs and its baseline over the
// BaselineRuns most recent complete ones.
func Group(runs []Judged, n int) map[string]JobRuns {
	byJob := map[string][]Judged{}
	for _, r := range runs {
		byJob[r.Job] = append(byJob[r.Job], r)
	}
	out := make(map[string]JobRuns, len(byJob))
	for job, rs := range byJob {
		var done []Run
		for _, r := range rs {
			if complete(r.Run) {
				done = append(done, r.Run)
			}
		}
		if len(done) > BaselineRuns {
			done = done[len(done)-BaselineRuns:]
		}
		if len(rs) > n {
			rs = rs[len(rs)-n:]
		}
		out[job] = JobRuns{Runs: rs, Baseline: BaselineOf(done)}
	}
	return out
}
