// Package watch is the work of `richsops watch`: each tick it samples the
// box (disks of /, the datadir on the DB host and the public folder; the
// binary logs' total; load and memory) and follows the job processes,
// recording each run's start and end in ops/history. The guard's loop runs
// beside it in the command (cli/watchcmd), never waiting for history.
package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sysinfo"
	"github.com/richs/richsops/ops/tailbytes"
)

// Watcher samples one box and follows its jobs.
type Watcher struct {
	Cfg   *config.Config
	Hosts *host.Registry
	Host  host.Host // where the jobs run (and /, the public folder)
	Store *history.Store
	Now   func() time.Time
	// SkipDB leaves the database server out (no [database] on this box).
	SkipDB bool

	db        *mysql.DB
	goneSince map[int64]time.Time
	// members are the worker processes of each run seen on the last tick
	// (pid -> the run's first pid): a worker that outlives its parent for a
	// moment stays the same run instead of starting one.
	members   map[int]int
	lastPrune time.Time
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Tick is what one tick did.
type Tick struct {
	Time    time.Time `json:"time"`
	Samples int       `json:"samples"`
	Started []string  `json:"started"` // job (pid)
	Ended   []string  `json:"ended"`
	Errors  []string  `json:"errors"`
}

// Once samples and observes once, writing what it found.
func (w *Watcher) Once(ctx context.Context) Tick {
	now := w.now()
	t := Tick{Time: now, Started: []string{}, Ended: []string{}, Errors: []string{}}
	ss, errs := w.Sample(ctx, now)
	t.Errors = append(t.Errors, errs...)
	if err := w.Store.AddSamples(ctx, ss); err != nil {
		t.Errors = append(t.Errors, "samples: "+err.Error())
	} else {
		t.Samples = len(ss)
	}
	started, ended, err := w.Observe(ctx, now)
	if err != nil {
		t.Errors = append(t.Errors, "jobs: "+err.Error())
	}
	for _, r := range started {
		t.Started = append(t.Started, fmt.Sprintf("%s (%d)", r.Job, r.PID))
	}
	for _, r := range ended {
		t.Ended = append(t.Ended, fmt.Sprintf("%s (%d)", r.Job, r.PID))
	}
	if now.Sub(w.lastPrune) >= time.Hour {
		if err := w.Store.Prune(ctx, now, Retention(w.Cfg)); err != nil {
			t.Errors = append(t.Errors, "retention: "+err.Error())
		} else {
			w.lastPrune = now
		}
	}
	return t
}

// Retention is the configured retention.
func Retention(cfg *config.Config) history.Retention {
	h := cfg.History
	return history.Retention{SamplesFull: h.SamplesFull.Duration, SamplesHourly: h.SamplesHourly.Duration, Runs: h.Runs.Duration, Events: h.Events.Duration}
}

// Sample reads the metrics; each part that cannot be read is an error line,
// the rest is returned.
func (w *Watcher) Sample(ctx context.Context, now time.Time) ([]history.Sample, []string) {
	var out []history.Sample
	var errs []string
	add := func(metric, hostName string, v float64) {
		out = append(out, history.Sample{Metric: metric, Host: hostName, Time: now, Value: v})
	}
	disk := func(h host.Host, p, pct, free string) {
		du, err := h.Disk(ctx, p)
		if err != nil {
			errs = append(errs, fmt.Sprintf("disk %s: %v", p, err))
			return
		}
		add(pct, h.Name(), du.Percent())
		add(free, h.Name(), float64(du.Free))
	}
	disk(w.Host, "/", history.MetricDiskRoot, history.MetricFreeRoot)
	if w.Cfg.Public.Dir != "" {
		disk(w.Host, w.Cfg.Public.Dir, history.MetricDiskPublic, history.MetricFreePublic)
	}
	if !w.SkipDB {
		if err := w.sampleDB(ctx, add); err != nil {
			errs = append(errs, "database: "+err.Error())
		}
	}
	if load1, memPct, err := sysinfo.LoadMem(ctx, w.Host); err != nil {
		errs = append(errs, "load/memory: "+err.Error())
	} else {
		add(history.MetricLoad1, w.Host.Name(), load1)
		add(history.MetricMemPercent, w.Host.Name(), memPct)
	}
	return out, errs
}

func (w *Watcher) sampleDB(ctx context.Context, add func(string, string, float64)) error {
	if w.db == nil {
		d, err := mysql.FromConfig(w.Cfg, w.Hosts)
		if err != nil {
			return err
		}
		w.db = d
	}
	st := w.db.Status(ctx)
	hostName := w.db.Host.Name()
	if st.Disk != nil {
		add(history.MetricDiskDatadir, hostName, st.Disk.Percent())
		add(history.MetricFreeDatadir, hostName, float64(st.Disk.Free))
	}
	if st.Server != nil || len(st.Binlogs) > 0 {
		add(history.MetricBinlogBytes, hostName, float64(st.BinlogTotal))
	}
	if st.Disk == nil {
		return errors.New(st.DiskErr)
	}
	return nil
}

// Close releases the database connection.
func (w *Watcher) Close() {
	if w.db != nil {
		w.db.Close()
	}
}

// Observe compares the job processes running now with the runs the store
// has open on this host: new ones start a run, gone ones end theirs.
func (w *Watcher) Observe(ctx context.Context, now time.Time) (started, ended []history.Run, err error) {
	names := make([]string, 0, len(w.Cfg.Jobs))
	for _, j := range w.Cfg.Jobs {
		names = append(names, j.Name)
	}
	procs, err := jobs.List(ctx, w.Host, w.Cfg, names)
	if err != nil {
		return nil, nil, err
	}
	roots, members := Roots(procs)
	open, err := w.Store.OpenRuns(ctx, w.Host.Name())
	if err != nil {
		return nil, nil, err
	}
	byPID := map[int]history.Run{}
	for _, r := range open {
		byPID[r.PID] = r
	}
	seen := map[int]bool{}
	for _, p := range roots {
		if r, ok := byPID[p.PID]; ok && r.Job == p.Job {
			seen[p.PID] = true
			continue
		}
		if root, ok := w.members[p.PID]; ok {
			// A worker whose parent just ended: still that run.
			if _, open := byPID[root]; open {
				seen[root] = true
				members[p.PID] = root
			}
			continue
		}
		trigger, skip := w.trigger(ctx, p)
		if skip {
			continue
		}
		j, _ := w.Cfg.Job(p.Job)
		r := history.Run{Job: p.Job, Host: w.Host.Name(), PID: p.PID, Start: p.Start, Trigger: trigger, User: p.User,
			Argv: p.Args, Source: history.SourceWatch, LogFrom: LogFromStart(ctx, w.Host, w.Cfg.JobLogPath(j), p.Start)}
		if r.ID, err = w.Store.StartRun(ctx, r); err != nil {
			return started, ended, err
		}
		started = append(started, r)
	}
	for pid, root := range members {
		seen[root] = seen[root] || pid != root
	}
	w.members = members
	if w.goneSince == nil {
		w.goneSince = map[int64]time.Time{}
	}
	for _, r := range byPID {
		if seen[r.PID] {
			continue
		}
		if r.Source == history.SourceExec {
			// Its waiting parent ends it; only when that parent died too
			// (killed) is it ended here, after a grace of one more tick.
			since, ok := w.goneSince[r.ID]
			if !ok {
				w.goneSince[r.ID] = now
				continue
			}
			if now.Sub(since) < w.Cfg.Watch.Interval.Duration {
				continue
			}
		}
		delete(w.goneSince, r.ID)
		end := w.End(ctx, r, history.End{At: now})
		if err := w.Store.EndRun(ctx, r.ID, end); err != nil {
			return started, ended, err
		}
		r.End = now
		ended = append(ended, r)
	}
	return started, ended, nil
}

// Roots keeps the first process of each run: a job's worker processes
// (descendants through processes of the same job) belong to their
// ancestor's run. members maps each worker's pid to its root's.
func Roots(procs []jobs.Proc) (roots []jobs.Proc, members map[int]int) {
	byPID := map[int]jobs.Proc{}
	for _, p := range procs {
		byPID[p.PID] = p
	}
	members = map[int]int{}
	for _, p := range procs {
		root := p
		for depth := 0; depth < 64; depth++ {
			parent, ok := byPID[root.PPID]
			if !ok || parent.Job != p.Job || parent.PID == root.PID {
				break
			}
			root = parent
		}
		if root.PID == p.PID {
			roots = append(roots, p)
		} else {
			members[p.PID] = root.PID
		}
	}
	return roots, members
}

// trigger says what started p, from its ancestors: cron; skip when p is
// not a run of its own (under richsops' waiting parent, which records the
// run itself, or under a process of the same job). The ancestors are read
// from the host's /proc through the Host, here or over ssh.
func (w *Watcher) trigger(ctx context.Context, p jobs.Proc) (trigger string, skip bool) {
	pid := p.PPID
	for depth := 0; depth < 4 && pid > 1; depth++ {
		argv, ppid, ok := host.Parent(ctx, w.Host, pid)
		if !ok {
			break
		}
		if jobs.IsExecWrapper(argv) {
			return "", true
		}
		if depth == 0 && jobs.MatchJob(argv, []string{p.Job}) != "" {
			// A worker (or a fork not yet exec'd) whose parent the
			// listing missed: part of the parent's run, not a run.
			return "", true
		}
		if len(argv) > 0 {
			switch path.Base(argv[0]) {
			case "cron", "crond", "CRON":
				return history.TriggerCron, false
			}
		}
		pid = ppid
	}
	return history.TriggerUnknown, false
}

// LogSize is the size of a job's log now, -1 when it cannot be read.
func LogSize(ctx context.Context, h host.Host, p string) int64 {
	fi, err := h.Stat(ctx, p)
	if err != nil {
		return -1
	}
	return fi.Size
}

// maxCountBytes bounds how much of a run's log is read for its counts,
// and how far back LogFromStart looks for the run's first line.
const maxCountBytes = 64 << 20

// logBackChunk is the first piece of a log LogFromStart reads back from
// its end; each next read is four times longer (a var: tests shorten it).
var logBackChunk int64 = 64 << 10

// LogFromStart is where in the log p the lines of a run started at start
// begin, for a run the watch service first sees a tick after its start:
// the log's size now would leave out what it wrote meanwhile. The log is
// read back from its end through the Host, in longer and longer pieces,
// until a line stamped before start (or the file's beginning, or
// maxCountBytes back); the answer is the first line stamped at or after
// start (less two seconds) after it. It may fall a little early (the log grew while read),
// never late: CountLog keeps only the lines stamped in the run's window.
// -1 when the log cannot be read; its size when no line of the run is
// found.
func LogFromStart(ctx context.Context, h host.Host, p string, start time.Time) int64 {
	size := LogSize(ctx, h, p)
	if size <= 0 {
		return size
	}
	// Stamps have whole seconds, and a start read from /proc leans on the
	// boot time, itself whole seconds: a little early is harmless.
	lo := start.Truncate(time.Second).Add(-2 * time.Second)
	for n := min(logBackChunk, size); ; n = min(n*4, size, maxCountBytes) {
		data, err := h.ReadTail(ctx, p, n)
		if err != nil {
			return size
		}
		base := size - int64(len(data)) // at or before the data's true offset
		off, before := firstFrom(data, lo, base > 0)
		switch {
		case before || base <= 0:
			// A line from before the run, or the whole file: off is it.
			return max(0, base+off)
		case n >= maxCountBytes || n >= size:
			// As far back as it may look: from there.
			return max(0, base+off)
		}
	}
}

// firstFrom is the offset in data of its first line stamped at or after
// lo (len(data) when none), and whether a line stamped before lo comes
// before it (else the run's lines may begin further back). partial says
// data starts inside a line, which is skipped.
func firstFrom(data []byte, lo time.Time, partial bool) (off int64, before bool) {
	pos := 0
	if partial {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return int64(len(data)), false
		}
		pos = i + 1
	}
	for pos < len(data) {
		line, next := data[pos:], len(data)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		if t, ok := jobs.LineStamp(line); ok {
			if !t.Before(lo) {
				return int64(pos), before
			}
			before = true
		}
		pos = next
	}
	return int64(len(data)), before
}

// End completes e for run r: the counts from r's log and whether another
// run writing the same log overlapped it.
func (w *Watcher) End(ctx context.Context, r history.Run, e history.End) history.End {
	return EndOf(ctx, w.Cfg, w.Host, w.Store, r, e)
}

// EndOf is End for callers without a Watcher (the waiting parent).
func EndOf(ctx context.Context, cfg *config.Config, h host.Host, s *history.Store, r history.Run, e history.End) history.End {
	j, ok := cfg.Job(r.Job)
	if !ok {
		return e
	}
	logPath := cfg.JobLogPath(j)
	if r.LogFrom >= 0 {
		if c, err := CountLog(ctx, h, logPath, r.LogFrom, r.Start, e.At, j.Counts); err == nil {
			e.Counts = c
		}
	}
	// Jobs sharing the log (check_ and update_item_mercari): a run that
	// overlaps this one wrote into the same lines; say so, never mix silently.
	for _, o := range cfg.Jobs {
		if o.Name == r.Job || cfg.JobLogPath(o) != logPath {
			continue
		}
		others, err := s.Runs(ctx, history.RunsQuery{Job: o.Name, Since: r.Start.Add(-7 * 24 * time.Hour)})
		if err != nil {
			continue
		}
		for _, x := range others {
			if x.Host == r.Host && x.Start.Before(e.At) && (x.End.IsZero() || x.End.After(r.Start)) {
				e.Overlap = true
			}
		}
	}
	return e
}

// CountLog counts the named patterns over the lines of path from offset
// from whose timestamp lies in [start, end]; an unstamped line (a
// traceback's continuation) goes with the stamped line before it.
func CountLog(ctx context.Context, h host.Host, p string, from int64, start, end time.Time, patterns map[string]string) (map[string]int, error) {
	counts := map[string]int{}
	res := map[string]*regexp.Regexp{}
	for name, pat := range patterns {
		re, err := regexp.Compile(pat)
		if err != nil {
			return counts, err
		}
		res[name] = re
		counts[name] = 0
	}
	size := LogSize(ctx, h, p)
	if size < 0 {
		return counts, fmt.Errorf("%s: cannot read", p)
	}
	if size <= from {
		return counts, nil
	}
	data, _, err := tailbytes.Read(ctx, h, p, min(size-from, maxCountBytes))
	if err != nil {
		return counts, err
	}
	// Stamps have whole seconds: widen the window by one.
	lo, hi := start.Truncate(time.Second), end.Add(time.Second)
	in := true
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		if t, ok := jobs.LineStamp(line); ok {
			in = !t.Before(lo) && !t.After(hi)
		}
		if !in {
			continue
		}
		for name, re := range res {
			if re.Match(line) {
				counts[name]++
			}
		}
	}
	return counts, nil
}
