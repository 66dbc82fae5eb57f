package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Triggers of a run.
const (
	TriggerCron    = "cron"
	TriggerConsole = "console"
	TriggerCLI     = "cli"
	TriggerCatchUp = "catch-up"
	TriggerUnknown = "unknown"
)

// Sources of a run record.
const (
	SourceWatch = "watch" // observed by the watch service: start, end, duration
	SourceExec  = "exec"  // recorded by `richsops jobs exec`: also the exit code
)

// Run is one run of one job.
type Run struct {
	ID       int64
	Job      string
	Host     string
	PID      int
	Start    time.Time
	End      time.Time // zero while running
	ExitCode *int      // nil when unknown
	Trigger  string
	User     string
	SudoUser string
	KilledBy string
	Argv     []string
	Counts   map[string]int
	Overlap  bool
	Source   string
	LogFrom  int64 // size of the job's log at the start; -1 unknown
}

// Duration of a finished run (0 while running).
func (r Run) Duration() time.Duration {
	if r.End.IsZero() {
		return 0
	}
	return r.End.Sub(r.Start)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v) }

// StartRun records the start of a run and returns its id.
func (s *Store) StartRun(ctx context.Context, r Run) (int64, error) {
	ids, err := s.AddRuns(ctx, []Run{r})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// AddRuns records runs (started or already finished) in one transaction
// and returns their ids.
func (s *Store) AddRuns(ctx context.Context, rs []Run) ([]int64, error) {
	ids := make([]int64, 0, len(rs))
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO runs (job, host, pid, start_ms, end_ms, exit_code, trigger, user, sudo_user, killed_by, argv, counts, overlap, source, log_from)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range rs {
			if r.Trigger == "" {
				r.Trigger = TriggerUnknown
			}
			if r.Source == "" {
				r.Source = SourceWatch
			}
			argv, _ := json.Marshal(nonNil(r.Argv))
			counts, _ := json.Marshal(nonNilMap(r.Counts))
			res, err := st.ExecContext(ctx, r.Job, r.Host, r.PID, ms(r.Start), nullTime(r.End), r.ExitCode, r.Trigger, r.User, r.SudoUser, r.KilledBy, string(argv), string(counts), r.Overlap, r.Source, r.LogFrom)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// End is how a run ended.
type End struct {
	At       time.Time
	ExitCode *int
	KilledBy string
	Counts   map[string]int
	Overlap  bool
}

// EndRun records the end of a run. A killer marked before (MarkKilled:
// the action that sent the signal) is kept over the signal's name.
func (s *Store) EndRun(ctx context.Context, id int64, e End) error {
	counts, _ := json.Marshal(nonNilMap(e.Counts))
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE runs SET end_ms = ?, exit_code = COALESCE(?, exit_code),
			killed_by = CASE WHEN killed_by = '' THEN ? ELSE killed_by END, counts = ?, overlap = overlap OR ? WHERE id = ?`,
			ms(e.At), e.ExitCode, e.KilledBy, string(counts), e.Overlap, id)
		return err
	})
}

// MarkKilled notes who killed a running run (a richsops action, the guard),
// found by host and pid, so the end the watch service observes later keeps it.
func (s *Store) MarkKilled(ctx context.Context, host string, pid int, by string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE runs SET killed_by = ? WHERE host = ? AND pid = ? AND end_ms IS NULL`, by, host, pid)
		return err
	})
}

// OpenRuns are the runs on host that have no end yet.
func (s *Store) OpenRuns(ctx context.Context, host string) ([]Run, error) {
	return s.queryRuns(ctx, `WHERE host = ? AND end_ms IS NULL ORDER BY start_ms`, host)
}

// RunsQuery selects runs.
type RunsQuery struct {
	Job   string    // "" = every job
	Since time.Time // zero = all
	Argv  bool      // read each run's argv too
}

// Runs lists runs oldest first, without their argv (RunsQuery.Argv).
func (s *Store) Runs(ctx context.Context, q RunsQuery) ([]Run, error) {
	where, args := runsWhere(q)
	if q.Argv {
		return s.queryRuns(ctx, where, args...)
	}
	n, err := s.countRuns(ctx, where, args)
	if err != nil {
		return nil, err
	}
	return s.listRuns(ctx, n, where, args...)
}

// runsWhere is the condition and order of q's runs.
func runsWhere(q RunsQuery) (string, []any) {
	where, args := "WHERE start_ms >= ?", []any{ms(q.Since)}
	if q.Since.IsZero() {
		args[0] = int64(-1 << 62)
	}
	if q.Job != "" {
		where += " AND job = ?"
		args = append(args, q.Job)
	}
	return where + " ORDER BY start_ms, id", args
}

// countRuns is how many runs where (without a LIMIT) selects, counted
// before a listing (the index answers it at once): thousands of runs
// grown by append would be copied over and over.
func (s *Store) countRuns(ctx context.Context, where string, args []any) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM runs `+where+`)`, args...).Scan(&n)
	return n, classify(err)
}

// listRuns reads the columns a listing shows of the runs of where (about
// n of them).
func (s *Store) listRuns(ctx context.Context, n int, where string, args ...any) ([]Run, error) {
	out := make([]Run, 0, n)
	err := s.eachRun(ctx, where, args, func(i int, r Run) { out = append(out[:i], r) })
	return out, err
}

// eachRun gives f the i-th run of where, from 0, its listed columns packed
// into one text per run (packedRun): each column read is a call into
// SQLite (several, for a text), and listings read thousands of rows. A
// value holding the separator itself makes a row unreadable that way: the
// listing then starts again from 0, read column by column.
func (s *Store) eachRun(ctx context.Context, where string, args []any, f func(i int, r Run)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+packedRun+` FROM runs `+where, args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var p string
	for i := 0; rows.Next(); i++ {
		if err := rows.Scan(&p); err != nil {
			return err
		}
		r, ok := unpackRun(p)
		if !ok {
			rows.Close()
			return s.eachRunColumns(ctx, where, args, f)
		}
		f(i, r)
	}
	return rows.Err()
}

// packedRun is the listed columns of a run joined by the unit separator
// (a NULL number as an empty field), in unpackRun's order.
const packedRun = `concat_ws(char(31), start_ms, IFNULL(end_ms, ''), IFNULL(exit_code, ''), overlap, job, host, trigger, user, sudo_user, killed_by, counts)`

// unpackRun reads one packedRun; ok false unless it has exactly its
// fields (a value held the separator).
func unpackRun(p string) (Run, bool) {
	var f [11]string
	for i := range len(f) - 1 {
		var ok bool
		if f[i], p, ok = strings.Cut(p, "\x1f"); !ok {
			return Run{}, false
		}
	}
	if strings.IndexByte(p, 0x1f) >= 0 {
		return Run{}, false
	}
	f[10] = p
	start, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return Run{}, false
	}
	var end, exit sql.NullInt64
	for i, n := range [2]*sql.NullInt64{&end, &exit} {
		if v := f[1+i]; v != "" {
			if n.Int64, err = strconv.ParseInt(v, 10, 64); err != nil {
				return Run{}, false
			}
			n.Valid = true
		}
	}
	r := Run{Overlap: f[3] != "0", Job: f[4], Host: f[5], Trigger: f[6], User: f[7], SudoUser: f[8], KilledBy: f[9], Argv: []string{}, LogFrom: -1}
	fill(&r, start, end, exit, f[10])
	return r, true
}

// eachRunColumns is eachRun read column by column.
func (s *Store) eachRunColumns(ctx context.Context, where string, args []any, f func(i int, r Run)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT job, host, start_ms, end_ms, exit_code, trigger, user, sudo_user, killed_by, counts, overlap FROM runs `+where, args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		r := Run{Argv: []string{}, LogFrom: -1}
		var end, exit sql.NullInt64
		var start int64
		var counts string
		if err := rows.Scan(&r.Job, &r.Host, &start, &end, &exit, &r.Trigger, &r.User, &r.SudoUser, &r.KilledBy, &counts, &r.Overlap); err != nil {
			return err
		}
		fill(&r, start, end, exit, counts)
		f(i, r)
	}
	return rows.Err()
}

func fill(r *Run, start int64, end, exit sql.NullInt64, counts string) {
	r.Start = fromMS(start)
	if end.Valid {
		r.End = fromMS(end.Int64)
	}
	if exit.Valid {
		c := int(exit.Int64)
		r.ExitCode = &c
	}
	r.Counts = parseCounts(counts)
}

// RecentComplete is up to n most recent finished runs of job before t,
// oldest first: the window of its baseline.
func (s *Store) RecentComplete(ctx context.Context, job string, before time.Time, n int) ([]Run, error) {
	rs, err := s.listRuns(ctx, n, `WHERE job = ? AND end_ms IS NOT NULL AND start_ms < ? ORDER BY start_ms DESC LIMIT ?`, job, ms(before), n)
	slices.Reverse(rs)
	return rs, err
}

func (s *Store) queryRuns(ctx context.Context, where string, args ...any) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, job, host, pid, start_ms, end_ms, exit_code, trigger, user, sudo_user, killed_by, argv, counts, overlap, source, log_from FROM runs `+where, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var end, exit sql.NullInt64
		var start int64
		var argv, counts string
		if err := rows.Scan(&r.ID, &r.Job, &r.Host, &r.PID, &start, &end, &exit, &r.Trigger, &r.User, &r.SudoUser, &r.KilledBy, &argv, &counts, &r.Overlap, &r.Source, &r.LogFrom); err != nil {
			return nil, err
		}
		fill(&r, start, end, exit, counts)
		_ = json.Unmarshal([]byte(argv), &r.Argv)
		r.Argv = nonNil(r.Argv)
		out = append(out, r)
	}
	return out, rows.Err()
}

// parseCounts reads the counts column: a flat JSON object of names to
// integers, as StartRun and EndRun write it. Listings parse thousands, so
// this is done by hand; anything else falls back to encoding/json.
func parseCounts(s string) map[string]int {
	m := map[string]int{}
	if s == "{}" {
		return m
	}
	body, ok := strings.CutPrefix(s, "{")
	body, ok2 := strings.CutSuffix(body, "}")
	if !ok || !ok2 {
		return m
	}
	for body != "" {
		var kv string
		kv, body, _ = strings.Cut(body, ",")
		k, v, found := strings.Cut(kv, ":")
		n, err := strconv.Atoi(v)
		if !found || err != nil || len(k) < 2 || k[0] != '"' || k[len(k)-1] != '"' || strings.IndexByte(k[1:len(k)-1], '\\') >= 0 || strings.IndexByte(k[1:len(k)-1], '"') >= 0 {
			m = map[string]int{}
			_ = json.Unmarshal([]byte(s), &m)
			return m
		}
		m[k[1:len(k)-1]] = n
	}
	return m
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func nonNilMap(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// Flags of a run.
const (
	FlagRunning  = "running"
	FlagFailed   = "failed"
	FlagKilled   = "killed"
	FlagTooLong  = "too_long"
	FlagTooShort = "too_short"
	FlagOverlap  = "overlap" // its shared log was written by another run meanwhile: counts are mixed
)

// BaselineRuns is how many complete runs a baseline is taken over.
const BaselineRuns = 20

// minBaseline is how many complete runs a baseline needs before too long
// (by p90) and too short are judged: fewer say nothing usual yet.
const minBaseline = 5

// Baseline is what a job's runs usually look like.
type Baseline struct {
	Runs   int                `json:"runs"`
	Median time.Duration      `json:"-"`
	P90    time.Duration      `json:"-"`
	Counts map[string]float64 `json:"median_counts"`
}

// BaselineOf computes the median and p90 duration and the median counts of
// complete runs (finished, not killed, not failed).
func BaselineOf(runs []Run) Baseline {
	var ds []time.Duration
	counts := map[string][]int{}
	for _, r := range runs {
		if !complete(r) {
			continue
		}
		ds = append(ds, r.Duration())
		for k, v := range r.Counts {
			counts[k] = append(counts[k], v)
		}
	}
	b := Baseline{Runs: len(ds), Counts: map[string]float64{}}
	if len(ds) == 0 {
		return b
	}
	slices.Sort(ds)
	b.Median = quantile(ds, 0.5)
	b.P90 = quantile(ds, 0.9)
	for k, vs := range counts {
		sort.Ints(vs)
		b.Counts[k] = float64(vs[len(vs)/2])
		if len(vs)%2 == 0 {
			b.Counts[k] = float64(vs[len(vs)/2-1]+vs[len(vs)/2]) / 2
		}
	}
	return b
}

// quantile of sorted ds by linear interpolation between closest ranks.
func quantile(ds []time.Duration, q float64) time.Duration {
	pos := q * float64(len(ds)-1)
	i := int(pos)
	if i+1 >= len(ds) {
		return ds[len(ds)-1]
	}
	frac := pos - float64(i)
	return ds[i] + time.Duration(frac*float64(ds[i+1]-ds[i]))
}

func complete(r Run) bool {
	return !r.End.IsZero() && r.KilledBy == "" && (r.ExitCode == nil || *r.ExitCode == 0)
}

// Flags judges one run against its job's baseline (taken over the runs
// before it) and maxRuntime (0 = none).
func Flags(r Run, b Baseline, maxRuntime time.Duration) []string {
	flags := []string{}
	if r.End.IsZero() {
		flags = append(flags, FlagRunning)
	}
	if r.ExitCode != nil && *r.ExitCode != 0 {
		flags = append(flags, FlagFailed)
	}
	if r.KilledBy != "" {
		flags = append(flags, FlagKilled)
	}
	if !r.End.IsZero() {
		d := r.Duration()
		long := maxRuntime > 0 && d > maxRuntime
		if b.Runs >= minBaseline && d > 2*b.P90 {
			long = true
		}
		if long {
			flags = append(flags, FlagTooLong)
		}
		if b.Runs >= minBaseline && complete(r) && d < b.Median/4 {
			flags = append(flags, FlagTooShort)
		}
	}
	if r.Overlap {
		flags = append(flags, FlagOverlap)
	}
	return flags
}

// Judged is a run with its flags and the baseline it was judged by.
type Judged struct {
	Run
	Flags    []string
	Baseline Baseline
}

// Judge flags every run of runs (oldest first) against the BaselineRuns
// complete runs of the same job before it; prior are earlier runs (oldest
// first) that seed the windows, maxRuntime the job's limit. Only the
// durations are kept per window: the flags need no more, and a listing of
// thousands of runs stays fast (BaselineOf gives the counts' medians).
func Judge(prior, runs []Run, maxRuntime func(job string) time.Duration) []Judged {
	jd := newJudger(prior, maxRuntime)
	out := make([]Judged, len(runs))
	for i, r := range runs {
		out[i] = jd.judge(r)
	}
	return out
}

// judger judges runs one after the other (oldest first), keeping each
// job's window of complete durations.
type judger struct {
	windows    map[string]*window
	limits     map[string]time.Duration
	maxRuntime func(job string) time.Duration
}

type window struct {
	ds     []time.Duration // last BaselineRuns complete durations, in order
	sorted []time.Duration
	b      Baseline
	stale  bool
}

func newJudger(prior []Run, maxRuntime func(job string) time.Duration) *judger {
	jd := &judger{windows: map[string]*window{}, limits: map[string]time.Duration{}, maxRuntime: maxRuntime}
	for _, r := range prior {
		jd.push(r)
	}
	return jd
}

func (jd *judger) get(job string) *window {
	w := jd.windows[job]
	if w == nil {
		w = &window{}
		jd.windows[job] = w
	}
	return w
}

func (jd *judger) push(r Run) {
	if !complete(r) {
		return
	}
	w := jd.get(r.Job)
	w.ds = append(w.ds, r.Duration())
	if len(w.ds) > BaselineRuns {
		w.ds = w.ds[len(w.ds)-BaselineRuns:]
	}
	w.stale = true
}

// judge flags r against the runs judged before it, then counts it in.
func (jd *judger) judge(r Run) Judged {
	w := jd.get(r.Job)
	if w.stale || w.b.Runs != len(w.ds) {
		w.sorted = append(w.sorted[:0], w.ds...)
		slices.Sort(w.sorted)
		w.b = Baseline{Runs: len(w.sorted)}
		if len(w.sorted) > 0 {
			w.b.Median, w.b.P90 = quantile(w.sorted, 0.5), quantile(w.sorted, 0.9)
		}
		w.stale = false
	}
	limit, ok := jd.limits[r.Job]
	if !ok {
		limit = jd.maxRuntime(r.Job)
		jd.limits[r.Job] = limit
	}
	j := Judged{Run: r, Flags: Flags(r, w.b, limit), Baseline: w.b}
	jd.push(r)
	return j
}

// JudgedRuns lists the runs of job ("" = every job of jobs) since t, each
// flagged against the complete runs of its job before it (those before t
// are read to seed the baselines).
func (s *Store) JudgedRuns(ctx context.Context, job string, t time.Time, jobs []string, maxRuntime func(string) time.Duration) ([]Judged, error) {
	var out []Judged
	err := s.EachJudged(ctx, job, t, jobs, maxRuntime, func(n int, j Judged) error {
		if out == nil {
			out = make([]Judged, 0, n)
		}
		out = append(out, j)
		return nil
	})
	if out == nil {
		out = []Judged{}
	}
	return out, err
}

// judgedBatch is how many runs EachJudged's reader hands over at a time.
const judgedBatch = 256

// EachJudged gives f, in order, each run JudgedRuns would list (n: how
// many there are in all), while the next ones are read from the
// database: a listing of thousands keeps both cores busy, reading and
// (in f) printing. An error of f stops the listing and is returned.
func (s *Store) EachJudged(ctx context.Context, job string, t time.Time, jobs []string, maxRuntime func(string) time.Duration, f func(n int, j Judged) error) error {
	var prior []Run
	for _, name := range jobs {
		if job != "" && name != job {
			continue
		}
		p, err := s.RecentComplete(ctx, name, t, BaselineRuns)
		if err != nil {
			return err
		}
		prior = append(prior, p...)
	}
	where, args := runsWhere(RunsQuery{Job: job, Since: t})
	n, err := s.countRuns(ctx, where, args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, done := make(chan []Run, 4), make(chan error, 1)
	go func() {
		defer close(batches)
		b, sent := make([]Run, 0, judgedBatch), 0
		done <- s.eachRun(ctx, where, args, func(i int, r Run) {
			if i < sent { // a read started again: already handed over
				return
			}
			b, sent = append(b, r), i+1
			if len(b) == judgedBatch {
				select {
				case batches <- b:
				case <-ctx.Done():
				}
				b = make([]Run, 0, judgedBatch)
			}
		})
		if len(b) > 0 {
			select {
			case batches <- b:
			case <-ctx.Done():
			}
		}
	}()
	jd := newJudger(prior, maxRuntime)
	for b := range batches {
		for _, r := range b {
			if err := f(n, jd.judge(r)); err != nil {
				cancel()
				for range batches { // let the reader finish
				}
				return err
			}
		}
	}
	return <-done
}
