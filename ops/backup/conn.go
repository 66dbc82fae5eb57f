package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	driver "github.com/go-sql-driver/mysql"

	"github.com/richs/richsops/ops/config"
)

// Conn is the server a dump connects to, derived from [database] dsn so
// that the backup dumps the server richsops reads, not whatever the dump
// program's own defaults (the machine's default socket, ~/.my.cnf) name.
type Conn struct {
	Net      string // "unix" or "tcp"; "" when the dump command sets its own target
	Addr     string // socket path or host:port
	User     string
	Password string `json:"-"`
	// DumpTarget / DumpUser: the dump command's own options that set the
	// target or the user ([backup] dump overrides the DSN); "" = from the DSN.
	DumpTarget []string
	DumpUser   bool
	// OwnFile is the option file the dump command names itself; then the
	// dump connects as that file says and nothing is derived.
	OwnFile string
	// Other is the dump program when it is neither mysqldump nor
	// mariadb-dump: its options are unknown, so nothing is added.
	Other string
}

// dumpPrograms take mysqldump's options.
var dumpPrograms = map[string]bool{"mysqldump": true, "mariadb-dump": true}

// The dump argv options that name the server or the user, long and short
// (mysqldump and mariadb-dump take the same).
var (
	targetOpts = []string{"--host", "-h", "--port", "-P", "--socket", "-S", "--protocol"}
	userOpts   = []string{"--user", "-u", "--password", "-p"}
	fileOpts   = []string{"--defaults-file", "--defaults-extra-file", "--login-path"}
)

// setOpts returns the arguments of argv that set one of opts ("--opt v",
// "--opt=v", "-x v", "-xv").
func setOpts(argv []string, opts []string) []string {
	var out []string
	for i, a := range argv {
		for _, o := range opts {
			if a == o || strings.HasPrefix(a, o+"=") || (len(o) == 2 && o[1] != '-' && strings.HasPrefix(a, o)) {
				out = append(out, a)
				if a == o && i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "-") {
					out = append(out, argv[i+1])
				}
			}
		}
	}
	return out
}

// DumpConn derives the dump's connection from dsn and the dump argv: what
// argv sets itself wins (the target as a whole, the credentials as a whole,
// or everything when it names its own option file).
func DumpConn(dsn string, argv []string) (Conn, error) {
	var c Conn
	if len(argv) > 0 && !dumpPrograms[filepath.Base(argv[0])] {
		c.Other = argv[0]
		return c, nil
	}
	if len(argv) > 1 {
		if f := setOpts(argv[1:], fileOpts); len(f) > 0 {
			c.OwnFile = strings.Join(f, " ")
			return c, nil
		}
		c.DumpTarget = setOpts(argv[1:], targetOpts)
		c.DumpUser = len(setOpts(argv[1:], userOpts)) > 0
	}
	d, err := driver.ParseDSN(dsn)
	if err != nil {
		return c, fmt.Errorf("database.dsn: %w", err)
	}
	if d.Net != "unix" && d.Net != "tcp" {
		return c, fmt.Errorf("database.dsn: protocol %q: the dump connects over unix or tcp only", d.Net)
	}
	if len(c.DumpTarget) == 0 {
		c.Net, c.Addr = d.Net, d.Addr
	}
	if !c.DumpUser {
		c.User, c.Password = d.User, d.Passwd
	}
	return c, nil
}

// String says which server is dumped and as whom, for previews and status.
func (c Conn) String() string { return c.Describe(nil) }

// Describe is String in the language of t (a Config's T; nil = English).
func (c Conn) Describe(t func(en, ja string) string) string {
	tr := func(en, ja string) string { return config.Tr(t, en, ja) }
	if c.Other != "" {
		return tr("as "+c.Other+" decides itself (not mysqldump or mariadb-dump: [backup] dump)", c.Other+" 自身の判断どおり（mysqldump でも mariadb-dump でもありません: [backup] dump）")
	}
	if c.OwnFile != "" {
		return tr("as the dump command's "+c.OwnFile+" says ([backup] dump)", "ダンプコマンドの "+c.OwnFile+" の指定どおり（[backup] dump）")
	}
	var s string
	switch {
	case len(c.DumpTarget) > 0:
		own := strings.Join(c.DumpTarget, " ")
		s = tr("the server of the dump command's "+own+" ([backup] dump)", "ダンプコマンドの "+own+" のサーバー（[backup] dump）")
	case c.Net == "unix":
		s = tr("socket "+c.Addr+" ([database] dsn)", "ソケット "+c.Addr+"（[database] dsn）")
	default:
		s = tr(c.Addr+" over TCP ([database] dsn)", c.Addr+"（TCP、[database] dsn）")
	}
	if !c.DumpUser && c.User != "" {
		s += tr(" as "+c.User, "、ユーザー "+c.User)
		if c.Password != "" {
			s += tr(" (password from the DSN, in a private 0600 option file)", "（パスワードは DSN から、専用の 0600 オプションファイルで渡します）")
		}
	}
	return s
}

// args is the argv options that name the server and the user.
func (c Conn) args() []string {
	var out []string
	switch c.Net {
	case "unix":
		out = append(out, "--protocol=SOCKET", "--socket="+c.Addr)
	case "tcp":
		host, port := splitHostPort(c.Addr)
		out = append(out, "--protocol=TCP", "--host="+host)
		if port != "" {
			out = append(out, "--port="+port)
		}
	}
	if !c.DumpUser && c.User != "" {
		out = append(out, "--user="+c.User)
	}
	return out
}

func splitHostPort(addr string) (string, string) {
	if strings.HasPrefix(addr, "[") { // [::1]:3306
		if i := strings.LastIndex(addr, "]"); i > 0 {
			return addr[1:i], strings.TrimPrefix(addr[i+1:], ":")
		}
	}
	if i := strings.LastIndex(addr, ":"); i >= 0 && !strings.Contains(addr[:i], ":") {
		return addr[:i], addr[i+1:]
	}
	return addr, ""
}

// SecretPlaceholder stands for the password file's path in previews (it
// exists only while the dump runs).
const SecretPlaceholder = "(private 0600 option file with the DSN's password)"

// leadingOpts are read by mysqldump only before every other option.
var leadingOpts = []string{"--no-defaults", "--defaults-group-suffix", "--print-defaults"}

// DumpArgv is argv with the connection's options after the program's
// leading option-file options (mysqldump reads those only first): the
// password file as --defaults-extra-file, or as --defaults-file in place of
// --no-defaults (still no other option file, but ours).
func (c Conn) DumpArgv(argv []string, secretFile string) []string {
	if len(argv) == 0 || c.OwnFile != "" || c.Other != "" {
		return argv
	}
	out := []string{argv[0]}
	rest := argv[1:]
	file := "--defaults-extra-file="
	for len(rest) > 0 && len(setOpts(rest[:1], leadingOpts)) > 0 {
		if rest[0] == "--no-defaults" && secretFile != "" {
			file = "--defaults-file="
		} else {
			out = append(out, rest[0])
		}
		rest = rest[1:]
	}
	if secretFile != "" {
		out = append(out, file+secretFile)
	}
	out = append(out, c.args()...)
	return append(out, rest...)
}

// insertOpt adds opt to argv after the program's leading option-file
// options (and before any database name).
func insertOpt(argv []string, opt string) []string {
	if len(argv) == 0 {
		return argv
	}
	i := 1
	for i < len(argv) && len(setOpts(argv[i:i+1], leadingOpts)) > 0 {
		i++
	}
	out := append(append(append([]string{}, argv[:i]...), opt), argv[i:]...)
	return out
}

// optionValue quotes v for a MySQL option file: inside double quotes,
// backslash and double quote escaped (the reader's own escapes).
func optionValue(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(v) + `"`
}

// secretFile writes the password to a new 0600 option file and returns the
// path the dump reads it by and a cleanup. On Linux the file is unlinked at
// once and read through /proc/PID/fd, so not even a SIGKILL leaves it behind.
func (c Conn) secretFile() (string, func(), error) {
	if c.Password == "" {
		return "", func() {}, nil
	}
	f, err := os.CreateTemp("", "richsops-dump-*.cnf") // 0600
	if err != nil {
		return "", nil, err
	}
	if err := f.Chmod(0o600); err == nil {
		_, err = f.WriteString("[client]\npassword=" + optionValue(c.Password) + "\n")
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", nil, err
	}
	return hideFile(f)
}
