package crontab

import (
	"context"
	"testing"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/gatetest"
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
	// on parses tab in lang and does what the case does to it.
	on := func(tab string, do func(f *File) error) func(*testing.T, string) error {
		return func(_ *testing.T, lang string) error {
			f := Parse([]byte(tab))
			f.T = (&config.Config{Lang: lang}).T
			return do(f)
		}
	}
	pause := func(name string) func(f *File) error {
		return func(f *File) error { _, err := f.Pause(name); return err }
	}
	resume := func(name string) func(f *File) error {
		return func(f *File) error { _, err := f.Resume(name); return err }
	}
	gatetest.Refusals(t, []gatetest.Refusal{
		{Name: "pause paused", Err: on(paused, pause(job)),
			En: job + ": already paused by richsops", Ja: job + ": すでに richsops で停止中です", Is: ErrAlreadyPaused},
		{Name: "pause mixed", Err: on(paused+active, pause(job)),
			En: job + ": some lines are paused by richsops, some active: resume it first",
			Ja: job + ": richsops で停止中の行と有効な行が混在しています: 先に再開してください"},
		{Name: "pause commented by others", Err: on(other, pause(job)),
			En: job + ": its lines are commented out by someone else (not by richsops); nothing to pause",
			Ja: job + ": 行は richsops 以外の誰かがコメントアウトしています。停止するものはありません"},
		{Name: "pause absent", Err: on(active, pause("nothing")),
			En: "nothing: no crontab line runs this job", Ja: "nothing: このジョブを実行する crontab の行がありません", Is: ErrNoLines},
		{Name: "resume active", Err: on(active, resume(job)),
			En: job + ": not paused by richsops (it is active)", Ja: job + ": richsops で停止していません（有効です）", Is: ErrNotPaused},
		{Name: "resume commented by others", Err: on(other, resume(job)),
			En: job + ": its lines were commented out by someone else, not by richsops: edit the crontab by hand if it should run",
			Ja: job + ": 行は richsops 以外の誰かがコメントアウトしています: 実行するなら crontab を手で編集してください"},
		{Name: "resume absent", Err: on(paused, resume("nothing")),
			En: "nothing: no crontab line runs this job", Ja: "nothing: このジョブを実行する crontab の行がありません", Is: ErrNoLines},
		{Name: "apply to a folder", Err: on(active, func(f *File) error {
			e, err := f.Pause(job)
			if err != nil {
				return err
			}
			_, err = Apply(context.Background(), host.NewLocalEditing(edittest.Dirs(t)), dir, e)
			return err
		}), En: dir + " is not a regular file; cron would ignore it and richsops will not replace it",
			Ja: dir + " は通常のファイルではありません: cron は読まず、richsops も置き換えません"},
	})
}
