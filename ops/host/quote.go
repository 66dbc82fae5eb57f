package host

import "strings"

// ShellQuote renders argv as a POSIX shell would need it typed: safe words
// as they are, everything else in single quotes. It is used to show
// commands to the operator and to hand argv to a remote shell over ssh,
// where the remote sshd always runs the command through a shell.
func ShellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = QuoteWord(a)
	}
	return strings.Join(out, " ")
}

// QuoteWord quotes one word for a POSIX shell.
func QuoteWord(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}
