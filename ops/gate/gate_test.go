package gate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/richs/richsops/ops/config"
)

func TestReadOnlyRefusesEveryActionAndAuditsIt(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "sub", "audit.jsonl")
	g := New(true, audit)
	ran := 0
	names := []string{"jobs.pause", "jobs.kill", "db.purge", "svc.restart", "backup", "public.clean"}
	for _, n := range names {
		res := g.Do(context.Background(), Action{Name: n, Target: "t", Argv: []string{"x", "y"}, Run: func(context.Context) (Outcome, error) {
			ran++
			return Outcome{}, nil
		}})
		if !errors.Is(res.Err, ErrReadOnly) {
			t.Errorf("%s: want ErrReadOnly, got %v", n, res.Err)
		}
	}
	if ran != 0 {
		t.Fatalf("read-only mode ran %d actions", ran)
	}
	recs, err := ReadAudit(audit)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(names) {
		t.Fatalf("want %d audit records, got %d", len(names), len(recs))
	}
	for i, r := range recs {
		if r.Action != names[i] || r.Outcome != "refused" || r.Phase != "refused" || r.User == "" || r.Host != "local" || len(r.Argv) != 2 {
			t.Errorf("record %d: %+v", i, r)
		}
	}
}

func TestActionAuditedBeforeAndAfter(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	g := New(false, audit)
	res := g.Do(context.Background(), Action{Name: "jobs.kill", Target: "check_item_mercari", Host: "db1", Run: func(context.Context) (Outcome, error) {
		// The start record is on disk before the change runs.
		recs, err := ReadAudit(audit)
		if err != nil || len(recs) != 1 || recs[0].Phase != "start" {
			t.Errorf("start record not written first: %v %+v", err, recs)
		}
		return Outcome{Summary: "killed 2"}, nil
	}})
	if !res.OK() || res.Outcome.Summary != "killed 2" {
		t.Fatalf("result %+v", res)
	}
	res = g.Do(context.Background(), Action{Name: "db.purge", Run: func(context.Context) (Outcome, error) {
		return Outcome{}, errors.New("replica still reads mysql-bin.000007")
	}})
	if res.OK() {
		t.Fatal("want error")
	}
	res = g.Do(context.Background(), Action{Name: "panics", Run: func(context.Context) (Outcome, error) { panic("boom") }})
	if res.OK() {
		t.Fatal("a panic must become an error")
	}
	recs, _ := ReadAudit(audit)
	want := []struct{ phase, outcome string }{{"start", ""}, {"end", "ok"}, {"start", ""}, {"end", "error"}, {"start", ""}, {"end", "error"}}
	if len(recs) != len(want) {
		t.Fatalf("records: %+v", recs)
	}
	for i, w := range want {
		if recs[i].Phase != w.phase || recs[i].Outcome != w.outcome {
			t.Errorf("record %d: %+v want %v", i, recs[i], w)
		}
	}
	if recs[1].Host != "db1" || recs[1].Summary != "killed 2" || recs[3].Error == "" {
		t.Errorf("details: %+v %+v", recs[1], recs[3])
	}
}

func TestUnwritableAuditStopsTheAction(t *testing.T) {
	// root writes anywhere, so block the audit folder with a plain file.
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	g := New(false, filepath.Join(blocker, "audit.jsonl"))
	ran := false
	res := g.Do(context.Background(), Action{Name: "x", Run: func(context.Context) (Outcome, error) { ran = true; return Outcome{}, nil }})
	if ran || res.OK() {
		t.Fatalf("action ran without an audit record: %+v", res)
	}
}

// TestAuditStaysEnglish: the operator reads a refusal in Japanese; the
// audit log records its English text.
func TestAuditStaysEnglish(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	ja := (&config.Config{Lang: "ja"}).T
	res := New(false, audit).Do(context.Background(), Action{Name: "db.emergency", Run: func(context.Context) (Outcome, error) {
		return Outcome{}, config.Errorf(ja, "%s changed since the preview: nothing done", "%s がプレビュー後に変わりました: 何もしていません", "mysql-bin.index")
	}})
	if res.Err == nil || res.Err.Error() != "mysql-bin.index がプレビュー後に変わりました: 何もしていません" {
		t.Errorf("shown: %v", res.Err)
	}
	recs, _ := ReadAudit(audit)
	if len(recs) != 2 || recs[1].Error != "mysql-bin.index changed since the preview: nothing done" {
		t.Errorf("audited: %+v", recs)
	}
}

// TestShown: ErrReadOnly reads in the operator's language where it is
// shown; other errors as they are.
func TestShown(t *testing.T) {
	other := errors.New("boom")
	for _, tc := range []struct {
		err        error
		lang, want string
	}{
		{ErrReadOnly, "en", "read-only mode: changes are disabled"},
		{ErrReadOnly, "ja", "読み取り専用モード: 変更はできません"},
		{other, "ja", "boom"},
	} {
		if got := Shown(tc.err, (&config.Config{Lang: tc.lang}).T); got != tc.want {
			t.Errorf("%v in %s: %q, want %q", tc.err, tc.lang, got, tc.want)
		}
	}
	if got := Shown(ErrReadOnly, nil); got != ErrReadOnly.Error() {
		t.Errorf("nil T: %q", got)
	}
}
