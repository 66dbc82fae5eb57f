// Package brake is the watch service's brake on mass withdrawal. The guard
// sees index-linux down; it cannot see index-linux answering but wrong
// ("not found" for every item), which withdraws just as many listings.
// While a job with a [jobs.brake] runs, the brake follows its log and
// counts the brake's pattern; when the rate per minute exceeds factor x the
// job's usual rate and an absolute floor, or the run's total exceeds
// max_per_run, it pauses the job's cron lines and stops its processes
// through the gate as gate.ActorBrake. Resuming is the operator's.
package brake

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/notify"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/watch"
)

// DefaultPoll is how often the brake looks at the running jobs and their
// logs: a mass withdrawal is stopped within a poll, the window and the
// processes' SIGTERM wait.
const DefaultPoll = 5 * time.Second

// minBaselineRun is the shortest run whose rate counts in a baseline: a run
// of a few seconds says nothing of a usual rate per minute.
const minBaselineRun = 30 * time.Second

// Brake is the brake of one config's jobs on one host.
type Brake struct {
	Cfg  *config.Config
	Host host.Host
	Gate *gate.Gate
	// Store is the history (the baselines, the events); nil or returning
	// nil: only the floor applies and nothing is recorded.
	Store func() *history.Store
	Sink  notify.Sink
	// Stop builds the pause-and-stop plan of a job; nil = the guard's
	// (guard.StopPlan as gate.ActorBrake).
	Stop func(ctx context.Context, job string) (guard.Plan, error)
	// Wait is how long a process gets between SIGTERM and SIGKILL.
	Wait time.Duration
	Now  func() time.Time

	runs map[runKey]*run
}

type runKey struct {
	pid   int
	start time.Time
}

// run is what the brake follows of one running job process.
type run struct {
	job      config.Job
	c        *counter
	baseline float64 // usual rate per minute; 0 = none yet
	based    int     // runs the baseline was taken over
	tripped  bool
	retry    bool     // the stop failed: tried again on the next poll
	sharers  []string // jobs writing the same log seen running during this run
}

// Trip is one braked run.
type Trip struct {
	Job  string   `json:"job"`
	PID  int      `json:"pid"`
	Why  string   `json:"why"`            // the pause's summary: "braked: 412 withdrawn in the last minute, ..."
	Did  []string `json:"did"`            // each step's result (pause, reload, stop), or what read-only would have done
	Errs []string `json:"errors"`         // the steps that failed
	Note string   `json:"note,omitempty"` // why the plan is less than a pause
	Done bool     `json:"done"`           // the pause-and-stop went through
	Read bool     `json:"read_only"`      // refused: read-only
}

func (b *Brake) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Brake) store() *history.Store {
	if b.Store == nil {
		return nil
	}
	return b.Store()
}

// Loop polls every poll (DefaultPoll when 0) until ctx ends; report (nil:
// none) gets each poll's trips and error.
func (b *Brake) Loop(ctx context.Context, poll time.Duration, report func([]Trip, error)) {
	if poll <= 0 {
		poll = DefaultPoll
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		trips, err := b.Once(ctx)
		if ctx.Err() != nil {
			return
		}
		if report != nil {
			report(trips, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once looks at the braked jobs' runs once: new runs are followed from
// their start, gone ones forgotten, and each run over its limit braked.
func (b *Brake) Once(ctx context.Context) ([]Trip, error) {
	if !slices.ContainsFunc(b.Cfg.Jobs, func(j config.Job) bool { return j.Brake.On() }) {
		return nil, nil
	}
	if b.runs == nil {
		b.runs = map[runKey]*run{}
	}
	names := make([]string, 0, len(b.Cfg.Jobs))
	for _, j := range b.Cfg.Jobs {
		names = append(names, j.Name)
	}
	procs, err := jobs.List(ctx, b.Host, b.Cfg, names)
	if err != nil {
		// A failure to list is not "nothing runs": keep what is followed.
		return nil, config.Errorf(b.Cfg.T, "brake: processes: %w", "ブレーキ: プロセス: %w", err)
	}
	roots, _ := watch.Roots(procs)
	running := map[string]bool{}
	for _, p := range roots {
		running[p.Job] = true
	}
	seen := map[runKey]bool{}
	var trips []Trip
	var errs []error
	for _, p := range roots {
		j, ok := b.Cfg.Job(p.Job)
		if !ok || !j.Brake.On() {
			continue
		}
		k := runKey{p.PID, p.Start}
		seen[k] = true
		r := b.runs[k]
		if r == nil {
			if r, err = b.follow(ctx, j, p); err != nil {
				errs = append(errs, err)
				continue
			}
			b.runs[k] = r
		}
		b.noteSharers(r, running)
		if err := r.c.read(ctx, b.Host); err != nil {
			errs = append(errs, config.Errorf(b.Cfg.T, "brake: %s: %w", "ブレーキ: %s: %w", j.Name, err))
			continue
		}
		if r.tripped && !r.retry {
			continue
		}
		why := b.judge(r)
		if why == "" && !r.retry {
			continue
		}
		if r.retry {
			why = fmt.Sprintf(b.Cfg.T("braked: %d %s in this run; stopping it again after a failure", "ブレーキ: この実行で %d 件の %s。失敗したため再度停止します"),
				r.c.total, sanitize.String(r.job.Brake.Count))
		}
		if len(r.sharers) > 0 {
			why += "; " + fmt.Sprintf(b.Cfg.T("%s ran during this run, writing the same log: its lines are counted with this run's",
				"%s もこの実行中に同じログに書き込みました: その行もこの実行の件数に含まれます"), strings.Join(r.sharers, ", "))
		}
		tr := b.trip(ctx, r, p, why)
		trips = append(trips, tr)
	}
	for k := range b.runs {
		if !seen[k] {
			delete(b.runs, k)
		}
	}
	return trips, errors.Join(errs...)
}

// follow starts following a run: its counter from the run's start and the
// job's baseline rate.
func (b *Brake) follow(ctx context.Context, j config.Job, p jobs.Proc) (*run, error) {
	re, err := regexp.Compile(j.Counts[j.Brake.Count])
	if err != nil {
		return nil, config.Errorf(b.Cfg.T, "brake: %s: counts.%s: %w", "ブレーキ: %s: counts.%s: %w", j.Name, j.Brake.Count, err)
	}
	r := &run{job: j, c: newCounter(b.Cfg.JobLogPath(j), re, p.Start)}
	if s := b.store(); s != nil {
		if rs, err := s.RecentComplete(ctx, j.Name, p.Start, history.BaselineRuns); err == nil {
			r.baseline, r.based = BaselineRate(rs, j.Brake.Count)
		}
	}
	return r, nil
}

// BaselineRate is the median rate per minute of count over the complete
// runs of rs (finished, not killed, not failed), leaving out those whose
// shared log mixed another run's lines and those too short to say; n is
// how many it was taken over (0: no baseline).
func BaselineRate(rs []history.Run, count string) (perMin float64, n int) {
	var rates []float64
	for _, r := range rs {
		v, ok := r.Counts[count]
		d := r.Duration()
		if !ok || r.Overlap || r.KilledBy != "" || (r.ExitCode != nil && *r.ExitCode != 0) || d < minBaselineRun {
			continue
		}
		rates = append(rates, float64(v)/d.Minutes())
	}
	if len(rates) == 0 {
		return 0, 0
	}
	sort.Float64s(rates)
	m := rates[len(rates)/2]
	if len(rates)%2 == 0 {
		m = (rates[len(rates)/2-1] + m) / 2
	}
	return m, len(rates)
}

// judge says why r must be braked now, "" when it need not.
func (b *Brake) judge(r *run) string {
	t := b.Cfg.T
	br := r.job.Brake
	name := sanitize.String(br.Count)
	if br.MaxPerRun > 0 && r.c.total > br.MaxPerRun {
		return fmt.Sprintf(t("braked: %d %s in this run, over max_per_run %d", "ブレーキ: この実行で %d 件の %s（max_per_run %d 超え）"), r.c.total, name, br.MaxPerRun)
	}
	window := br.Window.Duration
	n := r.c.inWindow(b.now(), window)
	rate := float64(n) / window.Minutes()
	if rate <= br.MinPerMinute {
		return ""
	}
	in := t("in the last minute", "直近 1 分間に")
	if window != time.Minute {
		in = fmt.Sprintf(t("in the last %s (%.0f/min)", "直近 %s に（毎分 %.0f 件）"), human.DurationT(t, window), rate)
	}
	if r.based == 0 {
		return fmt.Sprintf(t("braked: %d %s %s, over the floor of %.0f/min (no baseline yet)", "ブレーキ: %[3]s %[1]d 件の %[2]s（下限 毎分 %.0[4]f 件を超過、基準値はまだありません）"),
			n, name, in, br.MinPerMinute)
	}
	if rate <= br.Factor*r.baseline {
		return ""
	}
	ratio := rate / max(r.baseline, 0.01)
	return fmt.Sprintf(t("braked: %d %s %s, %.0fx the usual %.0f/min", "ブレーキ: %[3]s %[1]d 件の %[2]s（通常の毎分 %.0[5]f 件の %.0[4]f 倍）"),
		n, name, in, ratio, r.baseline)
}

// noteSharers adds to r's sharers the other jobs writing the same log
// that run now: their lines cannot be told from this run's.
func (b *Brake) noteSharers(r *run, running map[string]bool) {
	for _, o := range b.Cfg.Jobs {
		if o.Name != r.job.Name && running[o.Name] && b.Cfg.JobLogPath(o) == b.Cfg.JobLogPath(r.job) && !slices.Contains(r.sharers, o.Name) {
			r.sharers = append(r.sharers, o.Name)
		}
	}
}

// trip pauses the job's lines and stops its processes through the gate,
// records the event and sends the message. In read-only mode the gate
// refuses; the event and the message say what it would have done.
func (b *Brake) trip(ctx context.Context, r *run, p jobs.Proc, why string) Trip {
	first := !r.tripped
	r.tripped, r.retry = true, false
	tr := Trip{Job: r.job.Name, PID: p.PID, Why: why, Did: []string{}, Errs: []string{}}
	plan, err := b.plan(ctx, r.job.Name)
	tr.Note = plan.Note
	if err != nil {
		tr.Errs = append(tr.Errs, err.Error())
	}
	if plan.Action == nil {
		// Lines paused by someone else and the processes gone meanwhile.
		tr.Done = err == nil
	} else {
		if err := b.do(ctx, &tr, *plan.Action, why); errors.Is(err, crontab.ErrAlreadyPaused) {
			// Paused by someone else (the guard) between the plan and the
			// edit: its processes may still be to stop.
			plan, err = b.plan(ctx, r.job.Name)
			tr.Note = plan.Note
			switch {
			case err != nil:
				tr.Errs = append(tr.Errs, err.Error())
			case plan.Action == nil:
				tr.Done = true
			default:
				_ = b.do(ctx, &tr, *plan.Action, why)
			}
		}
	}
	r.retry = !tr.Done && !tr.Read && len(tr.Errs) > 0
	if first || !tr.Done {
		b.record(ctx, tr)
	}
	return tr
}

// plan is the job's pause-and-stop plan; processes gone meanwhile (stopped
// by someone else) leave nothing to do, not an error.
func (b *Brake) plan(ctx context.Context, job string) (guard.Plan, error) {
	stop := b.Stop
	if stop == nil {
		stop = func(ctx context.Context, job string) (guard.Plan, error) {
			return guard.StopPlan(ctx, b.Cfg, b.Host, job, b.Wait, gate.ActorBrake)
		}
	}
	p, err := stop(ctx, job)
	if p.Action == nil && errors.Is(err, jobs.ErrNotRunning) {
		return p, nil
	}
	return p, err
}

// do runs a through the gate as the brake: its summary is why (the Jobs
// tab's pause says it), each step's result a detail. It returns the
// action's error.
func (b *Brake) do(ctx context.Context, tr *Trip, a gate.Action, why string) error {
	a.Actor = gate.ActorBrake
	a.Preview = append([]string{why}, a.Preview...)
	run := a.Run
	a.Run = func(ctx context.Context) (gate.Outcome, error) {
		out, err := run(ctx)
		if out.Summary != "" {
			out.Details = append([]string{out.Summary}, out.Details...)
		}
		out.Summary = why
		return out, err
	}
	res := b.Gate.Do(ctx, a)
	switch {
	case errors.Is(res.Err, gate.ErrReadOnly):
		tr.Read = true
		tr.Did = append(tr.Did, fmt.Sprintf(b.Cfg.T("read-only: would have run %s %s", "読み取り専用: %s %s を実行するところでした"), a.Name, tr.Job))
		tr.Did = append(tr.Did, a.Preview[1:]...)
	case res.Err != nil:
		tr.Did = append(tr.Did, res.Outcome.Details...)
		tr.Errs = append(tr.Errs, fmt.Sprintf("%s %s: %v", a.Name, tr.Job, res.Err))
	default:
		tr.Did = append(tr.Did, res.Outcome.Details...)
		tr.Done = true
	}
	return res.Err
}

// Text is the trip in one line: why, then what was done.
func (tr Trip) Text(t func(en, ja string) string) string {
	s := tr.Job + " " + tr.Why
	if tr.Read {
		s = tr.Job + " " + config.Tr(t, "would have braked (read-only): ", "ブレーキをかけるところでした（読み取り専用）: ") + strings.TrimPrefix(tr.Why, config.Tr(t, "braked: ", "ブレーキ: "))
	}
	parts := []string{s}
	if tr.Note != "" {
		parts = append(parts, tr.Note)
	}
	if !tr.Read {
		parts = append(parts, tr.Did...)
	}
	parts = append(parts, tr.Errs...)
	return sanitize.String(strings.Join(parts, "; "))
}

// record writes the trip's event and sends its message.
func (b *Brake) record(ctx context.Context, tr Trip) {
	text := tr.Text(b.Cfg.T)
	if !tr.Read && tr.Done {
		text += b.Cfg.T("; resume with p on the Jobs tab once index-linux answers correctly",
			"。index-linux が正しく答えるようになったら Jobs タブの p で再開してください")
	}
	now := b.now()
	if s := b.store(); s != nil {
		_ = s.AddEvent(ctx, history.Event{Time: now, Kind: history.EventBrake, Source: "watch", Subject: tr.Job + "@" + b.Host.Name(),
			Level: notify.LevelCrit, Detail: text})
	}
	if b.Sink != nil {
		b.Sink.Notify(notify.Message{Time: now, Level: notify.LevelCrit, Kind: notify.KindBrake, Subject: tr.Job, Host: b.Host.Name(), Text: text})
	}
}
