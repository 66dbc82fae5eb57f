// Package public watches the folders served to the outside
// (/var/www/richs_public: images, output, tmp): their size, file count and
// growth, and cleans up old files in tmp.
//
// The clean-up is two steps: PlanClean lists the files (the preview), and
// the plan's Action removes exactly those files through the host's safe
// remove, each only if it is still the same file (device, inode, size,
// modification time) reached from tmp through real folders. Symlinks are
// never followed: a link is never a candidate, and a folder swapped for a
// link at any moment makes the files under it be skipped.
package public

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
)

// Folder is one public folder's figures.
type Folder struct {
	Name   string    `json:"name"`
	Path   string    `json:"path"`
	Files  int       `json:"files"` // regular files, at any depth
	Size   int64     `json:"size"`
	Newest time.Time `json:"newest"`
	// Growth: bytes of the files modified in the last day and week.
	Added24h int64  `json:"added_24h"`
	Added7d  int64  `json:"added_7d"`
	Err      string `json:"error,omitempty"`
}

// walk calls fn for every regular file under dir (depth first, without
// following symlinks: ReadDir is an Lstat of each entry).
func walk(ctx context.Context, h host.Host, dir string, fn func(path string, fi host.FileInfo)) error {
	entries, err := h.ReadDir(ctx, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(dir, e.Name)
		switch {
		case e.Mode.IsDir(): // a symlink to a folder is ModeSymlink, not a folder
			if err := walk(ctx, h, p, fn); err != nil {
				return err
			}
		case e.Mode.IsRegular():
			fn(p, e)
		}
	}
	return nil
}

// Scan measures each folder named in public.folders under public.dir.
func Scan(ctx context.Context, h host.Host, c config.Public, now time.Time) []Folder {
	out := make([]Folder, 0, len(c.Folders))
	for _, name := range c.Folders {
		f := Folder{Name: name, Path: filepath.Join(c.Dir, name)}
		err := walk(ctx, h, f.Path, func(_ string, fi host.FileInfo) {
			f.Files++
			f.Size += fi.Size
			if fi.ModTime.After(f.Newest) {
				f.Newest = fi.ModTime
			}
			if age := now.Sub(fi.ModTime); age <= 7*24*time.Hour {
				f.Added7d += fi.Size
				if age <= 24*time.Hour {
					f.Added24h += fi.Size
				}
			}
		})
		if err != nil {
			f.Err = err.Error()
		}
		out = append(out, f)
	}
	return out
}

// Attention: tmp above public.tmp_warn_gib, and folders that cannot be read.
func Attention(folders []Folder, c config.Public, t func(en, ja string) string) []attention.Item {
	var out []attention.Item
	for _, f := range folders {
		if f.Err != "" {
			out = append(out, attention.Item{Severity: attention.Warn, Source: "public",
				Text: fmt.Sprintf(t("%s cannot be read: %s", "%s を読めません: %s"), f.Path, f.Err)})
			continue
		}
		if f.Name == "tmp" && c.TmpWarnGiB > 0 && float64(f.Size) >= c.TmpWarnGiB*(1<<30) {
			out = append(out, attention.Item{Severity: attention.Warn, Source: "public", Key: "C",
				Text: fmt.Sprintf(t("public tmp holds %s in %d files: clean up old files", "公開 tmp が %s（%d ファイル）: 古いファイルを削除"), human.Bytes(f.Size), f.Files)})
		}
	}
	return out
}

// Candidate is one file a clean-up would remove, as it was when listed.
type Candidate struct {
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	// ID is what the removal checks the file against.
	ID host.Identity `json:"-"`
}

// Plan is the preview of a clean-up: exactly the files its Action may remove.
type Plan struct {
	Host      string        `json:"host"`
	Dir       string        `json:"dir"`
	OlderThan time.Duration `json:"older_than_s"`
	Cutoff    time.Time     `json:"cutoff"` // files modified before this
	Files     []Candidate   `json:"files"`
	Bytes     int64         `json:"bytes"`
	// T translates the preview and the outcome (a Config's T; nil =
	// English): PlanClean's t.
	T func(en, ja string) string `json:"-"`
}

func (p Plan) t(en, ja string) string { return config.Tr(p.T, en, ja) }

// ErrSymlinkDir is returned when tmp itself is a symbolic link.
var ErrSymlinkDir = errors.New("is a symbolic link; refusing to clean up through it")

// PlanClean lists the regular files in dir (tmp) modified more than
// olderThan before now. Its refusals, the plan's preview and its outcome
// are in t's language (a Config's T; nil = English).
func PlanClean(ctx context.Context, h host.Host, dir string, olderThan time.Duration, now time.Time, t func(en, ja string) string) (Plan, error) {
	if olderThan <= 0 {
		return Plan{}, config.Errorf(t, "the age must be positive, not %s", "経過時間は正の値にしてください（%s ではなく）", olderThan)
	}
	dir = filepath.Clean(dir)
	if !filepath.IsAbs(dir) {
		return Plan{}, config.Errorf(t, "%s: not an absolute path", "%s: 絶対パスではありません", dir)
	}
	if err := realDir(ctx, h, dir, t); err != nil {
		return Plan{}, err
	}
	p := Plan{Host: h.Name(), Dir: dir, OlderThan: olderThan, Cutoff: now.Add(-olderThan), T: t}
	err := walk(ctx, h, dir, func(path string, fi host.FileInfo) {
		if fi.ModTime.Before(p.Cutoff) {
			p.Files = append(p.Files, Candidate{Path: path, Size: fi.Size, ModTime: fi.ModTime, ID: fi.Identity()})
			p.Bytes += fi.Size
		}
	})
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	return p, err
}

// realDir fails unless path is a folder and not a symlink (Stat is an
// Lstat), saying why in t's language.
func realDir(ctx context.Context, h host.Host, path string, t func(en, ja string) string) error {
	fi, err := h.Stat(ctx, path)
	switch {
	case err != nil:
		return err
	case fi.Mode&os.ModeSymlink != 0:
		return config.Errorf(t, "%s %w", "%[1]s はシンボリックリンクです: たどって削除はしません", path, ErrSymlinkDir)
	case !fi.Mode.IsDir():
		return config.Errorf(t, "%s: not a folder", "%s: フォルダではありません", path)
	}
	return nil
}

// Preview is what the confirm dialog and the terminal prompt show.
func (p Plan) Preview(max int) []string {
	lines := []string{
		fmt.Sprintf(p.t("remove %d files (%s) from %s", "%[3]s から %[1]d ファイル（%[2]s）を削除"), len(p.Files), human.Bytes(p.Bytes), p.Dir),
		fmt.Sprintf(p.t("modified before %s (older than %s)", "%s より前に更新されたもの（%sより古い）"), p.Cutoff.Format("2006-01-02 15:04"), human.DurationT(p.t, p.OlderThan)),
	}
	for i, f := range p.Files {
		if i == max {
			lines = append(lines, fmt.Sprintf(p.t("… and %d more", "… ほか %d 件"), len(p.Files)-max))
			break
		}
		lines = append(lines, fmt.Sprintf("%10s  %s  %s", human.Bytes(f.Size), f.ModTime.Format("2006-01-02"), f.Path))
	}
	return lines
}

// Action removes the planned files through the gate, each with the host's
// safe remove (host.RemoveUnder from tmp): only if, at that moment, every
// folder from tmp down to it is a real folder and it is still the file of
// the preview. The rest are skipped and listed.
func (p Plan) Action(h host.Host) gate.Action {
	return gate.Action{
		Name: "public.clean", Target: p.Dir, Host: h.Name(),
		Preview: p.Preview(len(p.Files)), // all of them: the confirm dialog scrolls
		Run: func(ctx context.Context) (gate.Outcome, error) {
			var removed, skipped int
			var freed int64
			var details []string
			for _, c := range p.Files {
				if err := ctx.Err(); err != nil {
					return p.outcome(removed, skipped, freed, details), err
				}
				if why := p.remove(ctx, h, c); why != "" {
					skipped++
					details = append(details, why)
					continue
				}
				removed++
				freed += c.Size
			}
			return p.outcome(removed, skipped, freed, details), nil
		},
	}
}

// remove removes c, or says why not ("" = removed).
func (p Plan) remove(ctx context.Context, h host.Host, c Candidate) string {
	skipped := p.t("skipped ", "スキップ: ") + c.Path + ": "
	rel, err := filepath.Rel(p.Dir, c.Path)
	if err != nil || filepath.Clean(c.Path) != c.Path {
		rel = "" // refused as outside below
	}
	err = h.RemoveUnder(ctx, p.Dir, rel, c.ID)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, host.ErrOutside):
		return skipped + p.t("not inside ", "次の中にありません: ") + p.Dir
	case errors.Is(err, host.ErrSymlinkOnPath):
		return skipped + p.t("a folder on the way is a symbolic link or no longer a folder; not followed",
			"途中のフォルダがシンボリックリンクか、フォルダではなくなりました: たどりません")
	case errors.Is(err, host.ErrNotSame):
		return skipped + p.t("modified, replaced or removed since the preview", "確認画面の後に変更・置換・削除されました")
	}
	return p.t("failed ", "失敗: ") + c.Path + ": " + err.Error()
}

func (p Plan) outcome(removed, skipped int, freed int64, details []string) gate.Outcome {
	s := fmt.Sprintf(p.t("removed %d files (%s)", "%d ファイル（%s）を削除しました"), removed, human.Bytes(freed))
	if skipped > 0 {
		s += fmt.Sprintf(p.t(", skipped %d", "、%d 件スキップ"), skipped)
	}
	return gate.Outcome{Summary: s, Details: details}
}
