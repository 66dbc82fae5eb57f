// Package jobs is the stock checks as processes: which are running, when each
// last ran and whether a run was missed, starting one now, killing them, and
// pausing or resuming their crontab lines. Every change is a gate.Action.
package jobs

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/host"
)

// Proc is one running process of a job.
type Proc struct {
	host.Process
	Job string `json:"job"`
}

// MatchJob returns which of names argv runs, "" for none: an element ending
// in "manage.py" immediately followed by the name as its own element.
//
// richsops' own waiting parent (`richsops jobs exec NAME -- python
// manage.py NAME ...`) is not the job: the job is its child.
func MatchJob(argv []string, names []string) string {
	if IsExecWrapper(argv) {
		return ""
	}
	for _, n := range names {
		if crontab.MatchWords(argv, n) {
			return n
		}
	}
	return ""
}

// IsExecWrapper: argv is `richsops ... jobs exec ...`, the waiting parent
// that records a run.
func IsExecWrapper(argv []string) bool {
	if len(argv) < 3 || !strings.HasPrefix(filepath.Base(argv[0]), "richsops") {
		return false
	}
	i := slices.Index(argv, "jobs")
	return i > 0 && i+1 < len(argv) && argv[i+1] == "exec"
}

// List finds the running processes of the named jobs on h. A process
// counts only when it is the job's by cfg's rule too (Owned): argv alone
// would take another app's manage.py of the same name for ours.
func List(ctx context.Context, h host.Host, cfg *config.Config, names []string) ([]Proc, error) {
	ps, err := h.Processes(ctx, host.ProcessQuery{Word: "manage.py", Keep: func(argv []string) bool { return MatchJob(argv, names) != "" }})
	if err != nil {
		return nil, err
	}
	procs := make([]Proc, len(ps))
	for i, p := range ps {
		procs[i] = Proc{Process: p, Job: MatchJob(p.Args, names)}
	}
	root := cfg.App.Dir
	if needDirs(cfg, procs) {
		// A process's folder is always resolved: compare with app.dir's target too.
		if r, rerr := h.Realpath(ctx, root); rerr == nil {
			root = r
		}
	}
	out := procs[:0]
	for _, p := range procs {
		if Owned(cfg, p, root) {
			out = append(out, p)
		}
	}
	return out, nil
}

// The values of a job's match key: what besides argv makes a process the job's.
const (
	MatchStrict = "strict" // argv, user app.user or root, working folder under app.dir (the default)
	MatchUser   = "user"   // argv and user, in any folder
	MatchArgv   = "argv"   // argv alone
)

// Owned reports whether p, whose argv runs p.Job, is that job's by its
// match rule: run by app.user or root and, by default, working under
// app.dir (or resolved, its target: a process's folder is always
// resolved). A job the config does not name gets the default rule.
func Owned(cfg *config.Config, p Proc, resolved string) bool {
	j, _ := cfg.Job(p.Job)
	if j.Match == MatchArgv {
		return true
	}
	if p.User != cfg.App.User && p.User != "root" {
		return false
	}
	return j.Match == MatchUser || under(p.Dir, cfg.App.Dir) || under(p.Dir, resolved)
}

// under: dir is root or inside it.
func under(dir, root string) bool {
	if dir == "" || root == "" {
		return false
	}
	root = strings.TrimSuffix(root, "/")
	return dir == root || strings.HasPrefix(dir, root+"/")
}

// needDirs: some process's rule looks at its folder.
func needDirs(cfg *config.Config, procs []Proc) bool {
	for _, p := range procs {
		if j, _ := cfg.Job(p.Job); j.Match == "" || j.Match == MatchStrict {
			return true
		}
	}
	return false
}
