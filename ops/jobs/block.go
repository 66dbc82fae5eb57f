package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/sanitize"
)

// Block is an Amazon rate block as run now sees it: blocked answers still
// coming, or the watch service holding the Amazon-heavy jobs until it
// clears.
type Block struct {
	Since time.Time // first blocked answer of the block (or the hold's start)
	Hits  int       // blocked answers in the last hour
	// Until is when the hold expects to resume the jobs; zero = not held.
	Until time.Time
}

// BlockCheck reports the Amazon block now; nil Block = none.
type BlockCheck func(ctx context.Context) (*Block, error)

// DefaultBlock is the block check of run now for jobs with amazon = true.
// The lead wires it to ops/hold; nil = no check (the block is seen in the
// logs, it is advice, not a dependency like the guard's).
var DefaultBlock BlockCheck

// BlockError is the refusal of an Amazon-heavy job during a block (or
// when the block could not be checked): OVERRIDE starts it anyway.
type BlockError struct {
	Job   string
	Block *Block // nil when Err says why it could not be checked
	Err   error
	T     func(en, ja string) string `json:"-"`
}

func (e *BlockError) Error() string { return e.text(e.T) }

// English is the refusal for the audit log.
func (e *BlockError) English() string { return e.text(nil) }

func (e *BlockError) text(t func(en, ja string) string) string {
	return fmt.Sprintf(config.Tr(t, "%s refused: %s (an override needs a typed confirmation)",
		"%s は実行しません: %s（強制実行には確認の入力が必要です）"), e.Job, e.reason(t))
}

// reason is the block in one phrase: since when, how many 503s, held
// until when.
func (e *BlockError) reason(t func(en, ja string) string) string {
	tr := func(en, ja string) string { return config.Tr(t, en, ja) }
	if e.Block == nil {
		return fmt.Sprintf(tr("the Amazon block could not be checked: %s", "Amazon ブロックを確認できません: %s"), sanitize.String(e.Err.Error()))
	}
	s := fmt.Sprintf(tr("Amazon block since %s, %d 503(s) in the last hour", "Amazon ブロック中（%s から、直近1時間に 503 が %d 件）"),
		e.Block.Since.Local().Format("01-02 15:04"), e.Block.Hits)
	if !e.Block.Until.IsZero() {
		s += fmt.Sprintf(tr("; held until about %s", "。%s ごろまで保留"), e.Block.Until.Local().Format("15:04"))
	}
	return s
}

// blockStatus is the refusal of j during a block; nil = not Amazon-heavy,
// no check wired, or no block.
func blockStatus(ctx context.Context, j config.Job, check BlockCheck, t func(en, ja string) string) *BlockError {
	if !j.Amazon || check == nil {
		return nil
	}
	b, err := check(ctx)
	switch {
	case err != nil:
		return &BlockError{Job: j.Name, Err: err, T: t}
	case b != nil:
		return &BlockError{Job: j.Name, Block: b, T: t}
	}
	return nil
}

// Overridable is true for a refusal that OVERRIDE (a typed confirmation)
// lifts: the guard's and the Amazon block's.
func Overridable(err error) bool {
	var ge *GuardError
	var be *BlockError
	return errors.As(err, &ge) || errors.As(err, &be)
}
