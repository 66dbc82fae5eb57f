package config

import (
	"fmt"
	"strings"
)

// sshOptionsWithValue are the ssh flags a host's options may carry, with a
// value; sshOptionsBare without. Others (-N, -f, -t, -M, -O, -A, -L, -R, -D,
// -W, -E, ...) would break or widen what richsops does, so they are refused.
const (
	sshOptionsWithValue = "FipoJlcmb"
	sshOptionsBare      = "46Cq"
)

// CheckSSHOptions validates the extra ssh options of a [[hosts]] entry
// (used by Validate and by the SSH host).
func CheckSSHOptions(opts []string) error {
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		if len(o) < 2 || o[0] != '-' || o[1] == '-' {
			return fmt.Errorf("ssh option %q: want -F file, -i key, -p port, -o Key=Value, -J jump, -l user, -4, -6 or -C", o)
		}
		for j := 1; j < len(o); j++ {
			f := o[j]
			switch {
			case strings.IndexByte(sshOptionsBare, f) >= 0:
				continue
			case strings.IndexByte(sshOptionsWithValue, f) >= 0:
				if j == len(o)-1 { // value is the next word
					if i+1 >= len(opts) {
						return fmt.Errorf("ssh option -%c needs a value", f)
					}
					i++
				}
				j = len(o) // the rest of this word is the value
			default:
				return fmt.Errorf("ssh option %q: -%c is not allowed for a richsops host", o, f)
			}
		}
	}
	return nil
}
