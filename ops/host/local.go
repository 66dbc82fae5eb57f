package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Local is the machine richsops runs on.
type Local struct {
	dirs EditDirs
}

// NewLocal returns the local host. It can run, read and remove, but its
// Edit refuses (ErrNoEditDirs): use NewLocalEditing for a host that edits.
func NewLocal() *Local { return &Local{} }

// NewLocalEditing returns the local host whose edits lock and back up in d.
func NewLocalEditing(d EditDirs) *Local { return &Local{dirs: d} }

// EditDirs are the folders of its edits' locks and backups.
func (l *Local) EditDirs() EditDirs { return l.dirs }

func (*Local) Name() string  { return LocalName }
func (*Local) IsLocal() bool { return true }

// Run runs the command in its own process group so that a timeout kills the
// whole tree (a shell and its children), not just the first process.
func (*Local) Run(ctx context.Context, c Cmd) (Result, error) {
	return RunLocal(ctx, c)
}

// RunLocal is Local.Run without a receiver, for packages that start helper
// processes (ssh itself) on the local machine.
func RunLocal(ctx context.Context, c Cmd) (Result, error) {
	res := Result{Argv: c.Argv, ExitCode: -1}
	if len(c.Argv) == 0 {
		return res, errors.New("empty command")
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = MergeEnv(os.Environ(), c.Env)
	cmd.Stdin = c.Stdin
	var stdout, stderr bytes.Buffer
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	} else {
		cmd.Stdout = &stdout
	}
	cmd.Stderr = &capped{buf: &stderr, max: 1 << 20}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		return nil
	}
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	err := cmd.Run()
	res.Duration = time.Since(start)
	res.Stdout = stdout.Bytes()
	res.Stderr = stderr.Bytes()
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if ctxErr := ctx.Err(); ctxErr != nil && err != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return res, fmt.Errorf("%s: %w after %s", c.Argv[0], ErrTimeout, timeout)
		}
		return res, fmt.Errorf("%s: %w", c.Argv[0], ctxErr)
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && res.ExitCode >= 0 {
			return res, &ExitError{Argv: c.Argv, Code: res.ExitCode, Stderr: string(res.Stderr)}
		}
		return res, fmt.Errorf("%s: %w", c.Argv[0], err)
	}
	return res, nil
}

// MergeEnv returns base with the keys of extra set (replacing earlier values).
func MergeEnv(base []string, extra map[string]string) []string {
	if len(extra) == 0 {
		return base
	}
	out := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		k := kv
		if i := bytes.IndexByte([]byte(kv), '='); i >= 0 {
			k = kv[:i]
		}
		if _, ok := extra[k]; !ok {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+extra[k])
	}
	return out
}

// capped keeps at most max bytes of a stream: a command that floods stderr
// must not exhaust memory.
type capped struct {
	buf *bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
		} else {
			c.buf.Write(p)
		}
	}
	return len(p), nil
}

func (*Local) ReadFile(_ context.Context, path string) ([]byte, error) {
	return os.ReadFile(path)
}

func (*Local) Stat(_ context.Context, path string) (FileInfo, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return FileInfo{}, err
	}
	return toFileInfo(fi), nil
}

func toFileInfo(fi os.FileInfo) FileInfo {
	out := FileInfo{Name: fi.Name(), Size: fi.Size(), Mode: fi.Mode(), ModTime: fi.ModTime(), IsDir: fi.IsDir(), UID: -1, GID: -1}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		out.UID, out.GID = int(st.Uid), int(st.Gid)
		out.Dev, out.Ino = uint64(st.Dev), st.Ino
	}
	return out
}

func (*Local) ReadDir(_ context.Context, path string) ([]FileInfo, error) {
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	out := make([]FileInfo, 0, len(ents))
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			continue // removed while listing
		}
		out = append(out, toFileInfo(fi))
	}
	return out, nil
}

func (*Local) Remove(_ context.Context, path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s: is a folder; refusing to remove", path)
	}
	return os.Remove(path)
}

func (*Local) Disk(_ context.Context, path string) (DiskUsage, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return DiskUsage{}, err
	}
	bs := uint64(st.Bsize)
	total := st.Blocks * bs
	free := st.Bavail * bs
	used := total - st.Bfree*bs
	return DiskUsage{Path: path, Mount: mountOf(path), Total: total, Used: used, Free: free}, nil
}

// mountOf walks up from path to the first folder on another device.
func mountOf(path string) string {
	p, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	var st unix.Stat_t
	if unix.Stat(p, &st) != nil {
		return p
	}
	dev := st.Dev
	for p != "/" {
		parent := filepath.Dir(p)
		var pst unix.Stat_t
		if unix.Stat(parent, &pst) != nil || pst.Dev != dev {
			return p
		}
		p = parent
	}
	return "/"
}
