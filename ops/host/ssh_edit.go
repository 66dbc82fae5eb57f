package host

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// editIOTimeout bounds each wait of the remote edit script for the local
// side (and of its writes to it): a connection that dropped without sshd
// noticing must not keep the lock.
const editIOTimeout = 30 * time.Second

// editHeader is the fixed size of the local side's answer, so the remote
// shell can read it with head -c (a shell's read of a line may take more).
const editHeader = 128

// Exit codes of editScript beyond the shared ones.
const (
	codeLockBusy = 8
	codeAborted  = 9
)

// editScript is the remote half of SSH.Edit, one ssh session from lock to
// rename. $1 path, $2 lock folder, $3 backup folder, $4 backups kept,
// $5 backup (1/0), $6 lock wait, $7 I/O wait (seconds).
//
// It prints "richsops-edit EXISTS SIZE MODE UID GID REAL\0" and the
// content it read under the lock, then reads an editHeader-byte answer:
// "write LEN SHA256 MODE UID:GID" and LEN bytes, or anything else to
// abort. A drop at any point leaves the file as it was; the lock goes with
// the shell (flock on its fd 9).
const editScript = `p=$1 locks=$2 bks=$3 keep=$4 backup=$5 wait=$6 io=$7
real=$(readlink -f -- "$p") && [ -n "$real" ] || exit 1
if [ -d "$real" ]; then exit 5; fi
if [ -L "$p" ] && [ ! -e "$real" ]; then echo "a symlink to a missing file; refusing to edit" >&2; exit 1; fi
key=$(printf '%s' "$real" | sed -e 's/%/%25/g' -e 's|/|%2F|g')
if [ ${#key} -gt 200 ]; then
  h=$(printf '%s' "$real" | sha256sum) && key=$(printf '%.100s-%.16s' "$key" "$h") || exit 1
fi
mkdir -p -m 700 -- "$locks" || exit 1
exec 9>>"$locks/$key.lock" || exit 1
flock -w "$wait" 9 || exit 8
d=${real%/*} b=${real##*/}
[ -n "$d" ] || d=/
for f in "$d/.$b".richsops-tmp-*; do
  if [ -f "$f" ] && [ ! -L "$f" ]; then rm -f -- "$f"; fi
done
tmp=$(mktemp -- "$d/.$b.richsops-tmp-XXXXXX") || exit 1
trap 'rm -f -- "$tmp"' EXIT
trap 'exit 1' HUP INT TERM PIPE
exists=0 info='- - -'
if [ -e "$real" ]; then
  [ -f "$real" ] || { echo "not a regular file; refusing to edit" >&2; exit 1; }
  exists=1
  cat -- "$real" > "$tmp" || exit 1
  info=$(stat -c '%a %u %g' -- "$real") || exit 1
fi
old=$(sha256sum < "$tmp") || exit 1
old=${old%% *}
printf 'richsops-edit %s %s %s %s %s\0' "$exists" "$(wc -c < "$tmp")" "$info" "$(id -u)" "$real"
timeout "$io" cat -- "$tmp" || exit 1
ans=$(timeout "$io" head -c 128) || exit 1
set -- $ans
[ "$1" = write ] || exit 9
len=$2 sum=$3 mode=$4 owner=$5
bk=
if [ "$backup" = 1 ] && [ "$exists" = 1 ]; then
  mkdir -p -m 700 -- "$bks" || exit 1
  bk=$bks/$key.$(date +%Y%m%d-%H%M%S.%N) || exit 1
  cp -- "$tmp" "$bk" && chmod 600 -- "$bk" || exit 1
  sync -- "$bk" 2>/dev/null || sync
fi
timeout "$io" head -c "$len" > "$tmp" || exit 1
got=$(sha256sum < "$tmp") || exit 1
[ "${got%% *}" = "$sum" ] || { echo "the new content arrived incomplete; nothing written" >&2; exit 1; }
chmod "$mode" -- "$tmp" || exit 1
if [ "$owner" != -:- ]; then
  u=${owner%%:*} g=${owner#*:}
  [ "$u" != - ] || u=
  [ "$g" != - ] || g=
  owner=$u${g:+:$g}
  chown "$owner" -- "$tmp" 2>/dev/null || [ "$(id -u)" != 0 ] || chown "$owner" -- "$tmp" || exit 1
fi
sync -- "$tmp" 2>/dev/null || sync
if [ "$exists" = 1 ]; then
  cur=$(sha256sum < "$real") && [ "${cur%% *}" = "$old" ] || exit 6
else
  [ ! -e "$real" ] && [ ! -L "$real" ] || exit 6
fi
mv -f -T -- "$tmp" "$real" || exit 1
trap - EXIT
sync -- "$d" 2>/dev/null
if [ -n "$bk" ]; then
  set --
  for f in "$bks/$key".*; do
    case ${f#"$bks/$key."} in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) set -- "$@" "$f" ;;
    esac
  done
  while [ $# -gt "$keep" ]; do rm -f -- "$1"; shift; done
fi
printf 'richsops-done %s\0' "$bk"`

// Edit is the locked edit of a remote file (see Local.Edit), in one ssh
// session: the remote shell takes the flock, sends what it read, and waits
// for the new content, which it checks (length and SHA-256) before the
// compare and rename. The change runs here, between the two.
func (s *SSH) Edit(ctx context.Context, p string, change func(old []byte) ([]byte, error), o EditOpts) (EditResult, error) {
	if s.dirs.Locks == "" {
		return EditResult{}, ErrNoEditDirs
	}
	if err := refuseRealDirs(s.dirs.Locks, s.dirs.Backups); err != nil {
		return EditResult{}, err
	}
	wait := o.lockWait()
	args := []string{plainPath(p), s.dirs.Locks, s.dirs.Backups, strconv.Itoa(s.dirs.keep()), "0",
		strconv.Itoa(ceilSeconds(wait)), strconv.Itoa(ceilSeconds(editIOTimeout))}
	if o.Backup {
		args[4] = "1"
	}
	// Real pipes, not io.Pipe: the ssh process reads and writes them
	// itself, so its exit is never stuck behind a copying goroutine.
	inR, inW, err := os.Pipe()
	if err != nil {
		return EditResult{}, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return EditResult{}, err
	}
	defer outR.Close()
	type ran struct{ err error }
	done := make(chan ran, 1)
	go func() {
		_, err := s.scriptRaw(ctx, "edit", p, editScript, args, Cmd{Stdin: inR, Stdout: outW, Timeout: wait + 3*editIOTimeout})
		outW.Close() // EOF for the reader
		inR.Close()  // a write to a gone script fails instead of blocking
		done <- ran{err}
	}()
	finish := func(res EditResult, perr error) (EditResult, error) {
		inW.Close()
		tail, _ := io.ReadAll(outR)
		r := <-done
		var ee *ExitError
		if errors.As(r.err, &ee) {
			switch ee.Code {
			case codeChanged:
				return res, ChangedError(o.T, p)
			case codeLockBusy:
				return res, errLockBusy(o.T, p, wait)
			case codeAborted: // as asked: the change refused, or had nothing to write
				return res, perr
			}
		}
		if r.err != nil {
			if ee != nil && ee.Code == codeIsDir {
				return res, errDir(p)
			}
			return res, s.scriptErr("edit", p, r.err)
		}
		if perr != nil {
			return res, perr
		}
		if bk, ok := bytes.CutPrefix(tail, []byte("richsops-done ")); ok && res.Written {
			res.Backup = string(bytes.TrimSuffix(bk, []byte{0}))
		}
		return res, nil
	}
	br := bufio.NewReader(outR)
	hdr, err := br.ReadString(0)
	if err != nil {
		return finish(EditResult{}, nil) // the script ended early: its exit says why
	}
	exists, size, mode, uid, gid, euid, real, err := parseEditHeader(strings.TrimSuffix(hdr, "\x00"))
	if err != nil {
		return finish(EditResult{}, fmt.Errorf("host %s: edit %s: %w", s.name, p, err))
	}
	res := EditResult{Path: real}
	old := make([]byte, size)
	if _, err := io.ReadFull(br, old); err != nil {
		return finish(res, nil)
	}
	if !exists {
		old = nil
	}
	data, cerr := change(old)
	if cerr != nil || exists && bytes.Equal(data, old) {
		return finish(res, cerr) // the script sees no "write" and exits
	}
	nuid, ngid := o.newOwner(uid, gid, euid == 0)
	sum := sha256.Sum256(data)
	ans := fmt.Sprintf("write %d %s %o %s:%s", len(data), hex.EncodeToString(sum[:]), uint32(o.newMode(mode, exists)), idWord(nuid), idWord(ngid))
	ans += strings.Repeat(" ", editHeader-len(ans))
	if _, err := io.WriteString(inW, ans); err == nil {
		_, _ = inW.Write(data) // a failure shows as the script's exit
	}
	res.Written = true
	out, err := finish(res, nil)
	if err != nil {
		out.Written = false
	}
	return out, err
}

// idWord is a uid or gid for editScript, "-" for none.
func idWord(id int) string {
	if id < 0 {
		return "-"
	}
	return strconv.Itoa(id)
}

// parseEditHeader reads "richsops-edit EXISTS SIZE MODE UID GID EUID REAL"
// (EUID: who the editor runs as there).
func parseEditHeader(h string) (exists bool, size int, mode os.FileMode, uid, gid, euid int, real string, err error) {
	f := strings.SplitN(h, " ", 8)
	if len(f) != 8 || f[0] != "richsops-edit" {
		return false, 0, 0, 0, 0, 0, "", fmt.Errorf("unexpected answer %q", h)
	}
	if euid, err = strconv.Atoi(f[6]); err != nil {
		return false, 0, 0, 0, 0, 0, "", fmt.Errorf("unexpected answer %q", h)
	}
	exists = f[1] == "1"
	size, err = strconv.Atoi(f[2])
	uid, gid = -1, -1
	if exists && err == nil {
		var m uint64
		var e1, e2, e3 error
		m, e1 = strconv.ParseUint(f[3], 8, 32)
		uid, e2 = strconv.Atoi(f[4])
		gid, e3 = strconv.Atoi(f[5])
		err = errors.Join(e1, e2, e3)
		mode = os.FileMode(m).Perm()
	}
	if err != nil || size < 0 {
		return false, 0, 0, 0, 0, 0, "", fmt.Errorf("unexpected answer %q", h)
	}
	return exists, size, mode, uid, gid, euid, f[7], nil
}
