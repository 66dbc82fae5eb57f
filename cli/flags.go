package cli

import (
	"slices"
	"strings"
)

// SplitFlags takes a subcommand's flags out of args, anywhere among its
// positional words: the names in bools stand alone, those in valued take
// a value (--name VALUE or --name=VALUE). It returns each flag given (""
// for a bool) and the positional rest; an unknown flag or a missing value
// is bad usage, in t's language (nil = English).
func SplitFlags(t func(en, ja string) string, cmd string, args, bools, valued []string) (map[string]string, []string, error) {
	vals := map[string]string{}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		needsVal := slices.Contains(valued, name)
		if !needsVal && !slices.Contains(bools, name) {
			return nil, nil, UsageT(t, "%s: unknown flag %s", "%s: %s というフラグはありません", cmd, name)
		}
		if needsVal && !hasVal {
			if i+1 >= len(args) {
				return nil, nil, UsageT(t, "%s needs a value", "%s には値が必要です", name)
			}
			i++
			val = args[i]
		}
		vals[name] = val
	}
	return vals, pos, nil
}
