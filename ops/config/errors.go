package config

import (
	"errors"
	"fmt"
	"slices"
)

// translated is an error shown in the operator's language whose English
// twin is what programs see: errors.Is and errors.As walk the twin (so a
// sentinel or a %w keeps its identity), and the audit log records its
// English text (English).
type translated struct {
	text string
	en   error
}

func (e *translated) Error() string   { return e.text }
func (e *translated) Unwrap() error   { return e.en }
func (e *translated) English() string { return e.en.Error() }

// Errorf is fmt.Errorf(en, a...) for an operator reading t's language (nil
// = English): the refusals and explanations ops returns. With English it
// is exactly fmt.Errorf(en, a...); else its text is ja formatted with the
// same operands (ja may skip some with explicit indexes, %[3]s), and it
// unwraps to the English error.
func Errorf(t func(en, ja string) string, en, ja string, a ...any) error {
	err := fmt.Errorf(en, twins(a)...)
	if Tr(t, en, ja) == en {
		return err
	}
	return &translated{text: fmt.Errorf(ja, a...).Error(), en: err}
}

// twins is a with each translated error replaced by its English twin, so
// that an English text wrapping one (what the audit log records) holds no
// Japanese; the twin still unwraps to what the original did.
func twins(a []any) []any {
	var out []any
	for i, v := range a {
		if e, ok := v.(*translated); ok {
			if out == nil {
				out = slices.Clone(a)
			}
			out[i] = e.en
		}
	}
	if out == nil {
		return a
	}
	return out
}

// Translate is err (a sentinel, or an error built in English) with the
// text ja when t picks Japanese, and err itself otherwise: errors.Is(.., err)
// holds either way, and with English nothing changes, not even ==.
func Translate(t func(en, ja string) string, err error, ja string) error {
	if en := err.Error(); Tr(t, en, ja) == en {
		return err
	}
	return &translated{text: ja, en: err}
}

// ErrBadArgument marks an error caused by what the operator asked for (a
// binary log that does not exist, days out of range): the command line
// exits 2, bad usage, not 1, failed.
var ErrBadArgument = errors.New("bad argument")

// BadArgument is err marked ErrBadArgument.
func BadArgument(err error) error { return WithKind(err, ErrBadArgument) }

// WithKind is err, whose message it keeps, that errors.Is also matches to
// kind: a sentinel the caller acts on (an exit code), such as "no such
// binary log" being a bad argument.
func WithKind(err, kind error) error { return kinded{err, kind} }

type kinded struct{ err, kind error }

func (k kinded) Error() string        { return k.err.Error() }
func (k kinded) Unwrap() error        { return k.err }
func (k kinded) Is(target error) bool { return target == k.kind }
