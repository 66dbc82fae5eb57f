package host

import (
	"bytes"
	"context"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// clkTck is USER_HZ, 100 on every Linux the box can run.
const clkTck = 100

// Processes scans /proc itself: one read of cmdline per process, more only
// for the few that q keeps. This is the hot path of every jobs refresh.
func (*Local) Processes(_ context.Context, q ProcessQuery) ([]Process, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	word := []byte(q.Word)
	buf := make([]byte, 64*1024)
	path := make([]byte, 0, 32)
	var out []Process
	for {
		ents, err := d.Readdirnames(512)
		for _, e := range ents {
			if e[0] < '0' || e[0] > '9' {
				continue
			}
			path = append(append(append(path[:0], "/proc/"...), e...), "/cmdline"...)
			n := readSmall(path, buf)
			if n <= 0 || !bytes.Contains(buf[:n], word) {
				continue
			}
			argv := splitNUL(buf[:n])
			if !q.keep(argv) {
				continue
			}
			pid, _ := strconv.Atoi(e)
			if p, ok := procDetails(pid, argv); ok { // else exited meanwhile
				out = append(out, p)
			}
		}
		if err != nil || len(ents) == 0 {
			break
		}
	}
	return out, nil
}

// CheckProcess re-reads /proc/PID: nil while it is still p.
func (*Local) CheckProcess(_ context.Context, p Process) error {
	return checkLocal(p)
}

func checkLocal(p Process) error {
	st, ok := readStat(p.PID)
	if !ok || st.state == 'Z' {
		return ErrProcessGone
	}
	if strconv.FormatUint(st.startTicks, 10) != p.StartKey {
		return ErrNotSameProcess
	}
	buf := make([]byte, 64*1024)
	n := readSmall([]byte("/proc/"+strconv.Itoa(p.PID)+"/cmdline"), buf)
	if n <= 0 {
		return ErrProcessGone
	}
	if !slices.Equal(splitNUL(buf[:n]), p.Args) {
		return ErrNotSameProcess
	}
	dir := "/proc/" + strconv.Itoa(p.PID)
	var sb unix.Stat_t
	if unix.Stat(dir, &sb) != nil {
		return ErrProcessGone
	}
	cwd, _ := os.Readlink(dir + "/cwd")
	return sameOwner(p, userName(int(sb.Uid)), cwd)
}

// sameOwner: the process still runs as the user and in the folder it was
// listed with (what made it a job's); a part not read at listing time is
// not compared.
func sameOwner(p Process, user, cwd string) error {
	if (p.User != "" && user != p.User) || (p.Dir != "" && cwd != p.Dir) {
		return ErrNotSameProcess
	}
	return nil
}

// Signal holds the process by a pidfd while it checks who it is, so that
// the signal cannot reach a process that took the pid after the check.
func (l *Local) Signal(_ context.Context, p Process, sig syscall.Signal) error {
	if err := SignalRefusal(l, p.PID); err != nil {
		return err
	}
	fd, err := unix.PidfdOpen(p.PID, 0)
	if err != nil {
		if err == unix.ESRCH {
			return ErrProcessGone
		}
		// No pidfd (an old kernel): check, then kill by pid.
		if err := checkLocal(p); err != nil {
			return err
		}
		return unix.Kill(p.PID, sig)
	}
	defer unix.Close(fd)
	if err := checkLocal(p); err != nil {
		return err
	}
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if err == unix.ESRCH {
			return ErrProcessGone
		}
		return err
	}
	return nil
}

// Realpath resolves every symbolic link in path.
func (*Local) Realpath(_ context.Context, path string) (string, error) {
	return filepath.EvalSymlinks(path)
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

func procDetails(pid int, argv []string) (Process, bool) {
	st, ok := readStat(pid)
	if !ok || st.state == 'Z' {
		return Process{}, false
	}
	var sb unix.Stat_t
	if unix.Stat("/proc/"+strconv.Itoa(pid), &sb) != nil {
		return Process{}, false
	}
	start := bootTimeLocal().Add(time.Duration(st.startTicks) * time.Second / clkTck)
	elapsed := time.Since(start)
	cpu := 0.0
	if s := elapsed.Seconds(); s > 0 {
		cpu = float64(st.utime+st.stime) / clkTck / s * 100
	}
	dir, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return Process{
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
