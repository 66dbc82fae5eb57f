package crontab

import (
	"context"
	"errors"
	"testing"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// TestRefusals: pause and resume refuse in the File's language (lang = en
// byte for byte as before), the job and file names unchanged, and the
// sentinels still match errors.Is.
func TestRefusals(t *testing.T) {
	const (
		job    = "update_item_mercari"
		active = "0 4 * * * richs python manage.py " + job + "\n"
		paused = PausedPrefix + active
		other  = "# " + active
	)
	dir := t.TempDir() // a folder where the crontab should be: Apply refuses it
	for _, tc := range []struct {
		name   string
		tab    string
		do     func(f *File) error
		en, ja string
		is     error
	}{
		{"pause paused", paused, func(f *File) error { _, err := f.Pause(job); return err },
			job + ": already paused by richsops", job + ": すでに richsops で停止中です", ErrAlreadyPaused},
		{"pause mixed", paused + active, func(f *File) error { _, err := f.Pause(job); return err },
			job + ": some lines are paused by richsops, some active: resume it first",
			job + ": richsops で停止中の行と有効な行が混在しています: 先に再開してください", nil},
		{"pause commented by others", other, func(f *File) error { _, err := f.Pause(job); return err },
			job + ": its lines are commented out by someone else (not by richsops); nothing to pause",
			job + ": 行は richsops 以外の誰かがコメントアウトしています。停止するものはありません", nil},
		{"pause absent", active, func(f *File) error { _, err := f.Pause("nothing"); return err },
			"nothing: no crontab line runs this job", "nothing: このジョブを実行する crontab の行がありません", ErrNoLines},
		{"resume active", active, func(f *File) error { _, err := f.Resume(job); return err },
			job + ": not paused by richsops (it is active)", job + ": richsops で停止していません（有効です）", ErrNotPaused},
		{"resume commented by others", other, func(f *File) error { _, err := f.Resume(job); return err },
			job + ": its lines were commented out by someone else, not by richsops: edit the crontab by hand if it should run",
			job + ": 行は richsops 以外の誰かがコメントアウトしています: 実行するなら crontab を手で編集してください", nil},
		{"resume absent", paused, func(f *File) error { _, err := f.Resume("nothing"); return err },
			"nothing: no crontab line runs this job", "nothing: このジョブを実行する crontab の行がありません", ErrNoLines},
		{"apply to a folder", active, func(f *File) error {
			e, err := f.Pause(job)
			if err != nil {
				return err
			}
			_, err = Apply(context.Background(), host.NewLocal(), dir, e)
			return err
		}, dir + " is not a regular file; cron would ignore it and richsops will not replace it",
			dir + " は通常のファイルではありません: cron は読まず、richsops も置き換えません", nil},
	} {
		for _, lang := range []string{"en", "ja"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				f := Parse([]byte(tc.tab))
				f.T = (&config.Config{Lang: lang}).T
				err := tc.do(f)
				if want := config.Pick(lang, tc.en, tc.ja); err == nil || err.Error() != want {
					t.Errorf("got  %v\nwant %s", err, want)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("errors.Is(%v) lost", tc.is)
				}
			})
		}
	}
}
