// Package jobs is the stock checks as processes: which are running, when each
// last ran and whether a run was missed, starting one now, killing them, and
// pausing or resuming their crontab lines. Every change is a gate.Action.
package jobs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/host"
)

// Proc is one running process of a job.
type Proc struct {
	PID     int           `json:"pid"`
	PPID    int           `json:"ppid,omitempty"`
	User    string        `json:"user"`
	Start   time.Time     `json:"start"`
	Elapsed time.Duration `json:"elapsed_ns"`
	CPU     float64       `json:"cpu_percent"` // over its lifetime, like ps %CPU
	RSS     int64         `json:"rss_bytes"`
	Args    []string      `json:"args"`
	Job     string        `json:"job"`
	Dir     string        `json:"dir,omitempty"` // working folder; "" when it cannot be read
	// StartKey identifies this process and not a later one with the same
	// pid: the start time in clock ticks (local) or ps lstart (remote).
	StartKey string `json:"-"`
}

// clkTck is USER_HZ, 100 on every Linux the box can run.
const clkTck = 100

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

// List finds the running processes of the named jobs on h. Locally it reads
// /proc itself (one read of cmdline per process, more only for the few that
// match); elsewhere it parses ps output run through the host. A process
// counts only when it is the job's by cfg's rule too (Owned): argv alone
// would take another app's manage.py of the same name for ours.
func List(ctx context.Context, h host.Host, cfg *config.Config, names []string) ([]Proc, error) {
	var procs []Proc
	var err error
	root := cfg.App.Dir
	if h.IsLocal() {
		procs, err = listProc(names)
		if r, rerr := filepath.EvalSymlinks(root); rerr == nil {
			root = r
		}
	} else {
		procs, err = listPS(ctx, h, names)
		if err == nil && needDirs(cfg, procs) {
			root, err = remoteDirs(ctx, h, cfg.App.Dir, procs)
		}
	}
	if err != nil {
		return nil, err
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

// remoteDirsScript prints the resolved app folder, then "PID FOLDER" for
// each pid given (an empty folder when it cannot be read).
const remoteDirsScript = `printf '%s\n' "$(readlink -f -- "$1")"; shift
for p; do printf '%s %s\n' "$p" "$(readlink /proc/"$p"/cwd 2>/dev/null)"; done`

// remoteDirs fills the working folders of procs on h and returns app's
// folder resolved there.
func remoteDirs(ctx context.Context, h host.Host, app string, procs []Proc) (string, error) {
	argv := []string{"sh", "-c", remoteDirsScript, "richsops-dirs", app}
	for _, p := range procs {
		argv = append(argv, strconv.Itoa(p.PID))
	}
	res, err := h.Run(ctx, host.Cmd{Argv: argv, Timeout: 20 * time.Second})
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSuffix(string(res.Stdout), "\n"), "\n")
	dirs := map[string]string{}
	for _, l := range lines[1:] {
		pid, dir, _ := strings.Cut(l, " ")
		dirs[pid] = dir
	}
	for i := range procs {
		procs[i].Dir = dirs[strconv.Itoa(procs[i].PID)]
	}
	return lines[0], nil
}

var manageNUL = []byte("manage.py\x00")

// listProc scans /proc. This is the hot path of every refresh, benchmarked
// against pgrep -f over 3,000 processes.
func listProc(names []string) ([]Proc, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	buf := make([]byte, 64*1024)
	path := make([]byte, 0, 32)
	var out []Proc
	for {
		ents, err := d.Readdirnames(512)
		for _, e := range ents {
			if e[0] < '0' || e[0] > '9' {
				continue
			}
			path = append(append(append(path[:0], "/proc/"...), e...), "/cmdline"...)
			n := readSmall(path, buf)
			if n <= 0 || !bytes.Contains(buf[:n], manageNUL) {
				continue
			}
			argv := splitNUL(buf[:n])
			job := MatchJob(argv, names)
			if job == "" {
				continue
			}
			pid, _ := strconv.Atoi(e)
			p, ok := procDetails(pid, argv)
			if !ok {
				continue // exited meanwhile
			}
			p.Job = job
			out = append(out, p)
		}
		if err != nil || len(ents) == 0 {
			break
		}
	}
	return out, nil
}

// readSmall reads a /proc file into buf with raw syscalls (no *os.File,
// no allocation); -1 on error.
func readSmall(path []byte, buf []byte) int {
	fd, err := unix.Open(string(path), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	total := 0
	for total < len(buf) {
		n, err := unix.Read(fd, buf[total:])
		if err != nil || n <= 0 {
			break
		}
		total += n
	}
	unix.Close(fd)
	return total
}

func splitNUL(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	parts := bytes.Split(b, []byte{0})
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}

// statFields are the parts of /proc/PID/stat ops needs.
type statFields struct {
	state        byte
	ppid         int
	utime, stime uint64
	startTicks   uint64
	rssPages     int64
}

func readStat(pid int) (statFields, bool) {
	var buf [1024]byte
	n := readSmall([]byte("/proc/"+strconv.Itoa(pid)+"/stat"), buf[:])
	if n <= 0 {
		return statFields{}, false
	}
	return parseStat(buf[:n])
}

// parseStat parses /proc/PID/stat; the command name in parentheses may
// itself hold spaces and parentheses, so fields count from the last ')'.
func parseStat(b []byte) (statFields, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return statFields{}, false
	}
	f := strings.Fields(string(b[i+2:]))
	// f[0] is field 3 (state); field k is f[k-3].
	if len(f) < 22 {
		return statFields{}, false
	}
	u := func(k int) uint64 { v, _ := strconv.ParseUint(f[k-3], 10, 64); return v }
	return statFields{
		state:      f[0][0],
		ppid:       int(u(4)),
		utime:      u(14),
		stime:      u(15),
		startTicks: u(22),
		rssPages:   int64(u(24)),
	}, true
}

func procDetails(pid int, argv []string) (Proc, bool) {
	st, ok := readStat(pid)
	if !ok || st.state == 'Z' {
		return Proc{}, false
	}
	var sb unix.Stat_t
	if unix.Stat("/proc/"+strconv.Itoa(pid), &sb) != nil {
		return Proc{}, false
	}
	boot := BootTimeLocal()
	start := boot.Add(time.Duration(st.startTicks) * time.Second / clkTck)
	elapsed := time.Since(start)
	cpu := 0.0
	if s := elapsed.Seconds(); s > 0 {
		cpu = float64(st.utime+st.stime) / clkTck / s * 100
	}
	dir, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return Proc{
		PID: pid, PPID: st.ppid, User: userName(int(sb.Uid)), Dir: dir, Start: start, Elapsed: elapsed,
		CPU: cpu, RSS: st.rssPages * int64(os.Getpagesize()), Args: argv,
		StartKey: strconv.FormatUint(st.startTicks, 10),
	}, true
}

var (
	userMu    sync.Mutex
	userCache = map[int]string{}
)

func userName(uid int) string {
	userMu.Lock()
	defer userMu.Unlock()
	if n, ok := userCache[uid]; ok {
		return n
	}
	n := strconv.Itoa(uid)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	userCache[uid] = n
	return n
}

var (
	bootOnce sync.Once
	bootTime time.Time
)

// BootTimeLocal is this machine's boot time from /proc/stat (cached: it
// does not change while richsops runs).
func BootTimeLocal() time.Time {
	bootOnce.Do(func() {
		data, err := os.ReadFile("/proc/stat")
		if err == nil {
			bootTime, _ = ParseBootTime(data)
		}
	})
	return bootTime
}

// BootTime reads h's boot time (btime of /proc/stat).
func BootTime(ctx context.Context, h host.Host) (time.Time, error) {
	if h.IsLocal() {
		if t := BootTimeLocal(); !t.IsZero() {
			return t, nil
		}
	}
	data, err := h.ReadFile(ctx, "/proc/stat")
	if err != nil {
		return time.Time{}, err
	}
	return ParseBootTime(data)
}

// ParseBootTime finds the btime line of /proc/stat.
func ParseBootTime(data []byte) (time.Time, error) {
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "btime "); ok {
			s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, err
			}
			return time.Unix(s, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("no btime in /proc/stat")
}

// PSArgv is the ps command used on a remote host (LC_ALL=C for lstart).
// user:64: ps prints a name longer than its column as a uid.
var PSArgv = []string{"ps", "-ww", "-eo", "pid,user:64,lstart,etimes,pcpu,rss,args"}

func listPS(ctx context.Context, h host.Host, names []string) ([]Proc, error) {
	res, err := h.Run(ctx, host.Cmd{Argv: PSArgv, Env: map[string]string{"LC_ALL": "C"}, Timeout: 20 * time.Second})
	if err != nil {
		return nil, err
	}
	return ParsePS(res.Stdout, names)
}

// ParsePS parses `ps -eo pid,user,lstart,etimes,pcpu,rss,args` output (with
// header). ps joins argv with spaces, so arguments are split on blanks.
func ParsePS(out []byte, names []string) ([]Proc, error) {
	var procs []Proc
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if i == 0 || len(f) < 11 {
			continue
		}
		argv := f[10:]
		job := MatchJob(argv, names)
		if job == "" {
			continue
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("ps line %d: bad pid %q", i+1, f[0])
		}
		lstart := strings.Join(f[2:7], " ")
		start, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", lstart, time.Local)
		if err != nil {
			return nil, fmt.Errorf("ps line %d: bad start %q", i+1, lstart)
		}
		et, _ := strconv.ParseInt(f[7], 10, 64)
		cpu, _ := strconv.ParseFloat(f[8], 64)
		rss, _ := strconv.ParseInt(f[9], 10, 64)
		procs = append(procs, Proc{PID: pid, User: f[1], Start: start, Elapsed: time.Duration(et) * time.Second,
			CPU: cpu, RSS: rss * 1024, Args: argv, Job: job, StartKey: lstart})
	}
	return procs, nil
}
