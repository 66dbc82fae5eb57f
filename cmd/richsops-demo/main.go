// Command richsops-demo builds the demo sandbox (internal/demo), brings it
// to life in a child process and runs the console on it. It is also the
// stand-ins the sandbox's scripts exec (demo-systemctl, demo-pm2, demo-job,
// demo-writer): a binary of its own, so that neither the sandbox nor its
// stand-ins are linked into the product.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/cli/tuicmd"
	_ "github.com/richs/richsops/cli/watchcmd" // the sandbox's watch service runs `richsops-demo watch`
	"github.com/richs/richsops/internal/demo"
)

const usage = `richsops-demo [--dir D]            build a sandbox in D (default: a new temp folder), bring it
                                   to life and run the console on it; quitting stops everything
richsops-demo --dir D --prepare    only build the sandbox; the last line printed is its config file
richsops-demo --dir D --run        only the background activity (logs, jobs, health server, redis,
                                   mariadbd) in the foreground until killed (SIGTERM/SIGINT), for scripts
richsops-demo ... --scenario NAME  start in a scenario (with any of the above)
richsops-demo scenario [--dir D] NAME
                                   switch a running sandbox's scenario: normal, or not-found
                                   (index-linux answers "not found" for every item; the demo's
                                   watch service brakes the Mercari check within a minute)

Then, for example:  PATH=D/bin:$PATH richsops --config D/etc/richsops/config.toml
When MariaDB is installed the sandbox runs its own mariadbd; set RICHSOPS_DEMO_DSN before
building to point the Database tab at another server instead.`

// envParent names the process that started `demo --run`: when it is gone,
// the activity stops itself (the console was killed without cleaning up).
const envParent = "RICHSOPS_DEMO_PARENT"

// standins are the subcommands the sandbox's scripts and activity exec;
// any other command line is the demo's own flags.
var standins = []cli.Command{
	{Name: "demo-writer", Summary: "(internal) demo: append log lines to the sandbox's logs", NoConfig: true, Run: runWriter},
	{Name: "demo-job", Summary: "(internal) demo: stand-in for python manage.py JOB", NoConfig: true, Run: runJob},
	{Name: "demo-systemctl", Summary: "(internal) demo: stand-in for systemctl", NoConfig: true, Run: standin(demo.Systemctl)},
	{Name: "demo-pm2", Summary: "(internal) demo: stand-in for pm2", NoConfig: true, Run: standin(demo.PM2)},
	{Name: "scenario", Summary: "demo: switch the sandbox's scenario (normal, not-found)", NoConfig: true, Run: runScenario},
}

func init() {
	cli.Register(cli.Command{Name: "demo", Summary: "run the console on a fake box in a folder (--prepare, --run for scripts)", Usage: usage, NoConfig: true, Run: runDemo})
	for _, c := range standins {
		cli.Register(c)
	}
}

func main() {
	os.Exit(cli.Main(commandLine(os.Args[1:]), os.Stdin, os.Stdout, os.Stderr))
}

// commandLine puts the demo command before the flags unless the line is a
// stand-in's: the global flags (--lang, --readonly) still work anywhere.
func commandLine(args []string) []string {
	if len(args) > 0 && (args[0] == "watch" || slices.ContainsFunc(standins, func(c cli.Command) bool { return c.Name == args[0] })) {
		return args
	}
	return append([]string{"demo"}, args...)
}

type demoFlags struct {
	dir              string
	prepare, runOnly bool
	scenario         string
	rest             []string // positional arguments (scenario NAME)
}

func parseFlags(args []string) (demoFlags, error) {
	var f demoFlags
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--dir" && i+1 < len(args):
			i++
			f.dir = args[i]
		case len(a) > 6 && a[:6] == "--dir=":
			f.dir = a[6:]
		case a == "--prepare":
			f.prepare = true
		case a == "--run":
			f.runOnly = true
		case a == "--scenario" && i+1 < len(args):
			i++
			f.scenario = args[i]
		case strings.HasPrefix(a, "--scenario="):
			f.scenario = strings.TrimPrefix(a, "--scenario=")
		case !strings.HasPrefix(a, "-"):
			f.rest = append(f.rest, a)
		default:
			return f, cli.Usagef("unknown argument %q", a)
		}
	}
	if len(f.rest) > 0 {
		return f, cli.Usagef("unexpected argument %q", f.rest[0])
	}
	if f.prepare && f.runOnly {
		return f, cli.Usagef("--prepare and --run do not go together")
	}
	if f.runOnly && f.dir == "" {
		return f, cli.Usagef("--run needs --dir D (a sandbox built by --prepare)")
	}
	return f, nil
}

func runDemo(env *cli.Env, args []string) error {
	f, err := parseFlags(args)
	if err != nil {
		return err
	}
	if f.runOnly {
		if f.scenario != "" {
			if err := setScenario(env, f.dir, f.scenario); err != nil {
				return err
			}
		}
		return runActivity(env, f.dir)
	}
	if f.dir == "" {
		if f.dir, err = os.MkdirTemp("", "richsops-demo-"); err != nil {
			return err
		}
	}
	s, err := demo.Build(f.dir, demo.Options{})
	if err != nil {
		return fmt.Errorf("build the sandbox: %w", err)
	}
	if _, err := s.Config(); err != nil {
		return fmt.Errorf("the generated config is invalid (a bug): %w", err)
	}
	if err := s.SetScenario(cmp.Or(f.scenario, demo.ScenarioNormal)); err != nil {
		return cli.Usagef("--scenario: %v", err)
	}
	if f.prepare {
		fmt.Fprintf(env.Stdout, "demo sandbox built in %s\n", s.Dir)
		fmt.Fprintf(env.Stdout, "stand-ins (put first on PATH): %s\n", s.BinDir())
		if s.DBReal {
			fmt.Fprintf(env.Stdout, "database: the sandbox's mariadbd on 127.0.0.1:%d, started by --run\n", s.DBPort)
		} else {
			fmt.Fprintf(env.Stdout, "database: %s (%s)\n", s.DSNOrDefault(), s.DBNote)
		}
		fmt.Fprintf(env.Stdout, "bring it to life: %s --dir %s --run\n", s.Bin, s.Dir)
		fmt.Fprintln(env.Stdout, s.ConfigPath())
		return nil
	}
	return runConsole(env, s)
}

// runConsole starts the activity in a child process group, runs the TUI,
// and on quit stops every process the sandbox started.
func runConsole(env *cli.Env, s *demo.Sandbox) error {
	// The console runs systemctl and pm2 from PATH: the stand-ins go first.
	if err := os.Setenv("PATH", s.BinDir()+string(os.PathListSeparator)+os.Getenv("PATH")); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(s.RunDir(), "activity.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	ready := filepath.Join(s.RunDir(), "ready")
	_ = os.Remove(ready)
	child := exec.Command(s.Bin, "--dir", s.Dir, "--run")
	child.Stdout, child.Stderr = logf, logf
	child.Env = append(os.Environ(), envParent+"="+strconv.Itoa(os.Getpid()))
	child.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := child.Start(); err != nil {
		return fmt.Errorf("start the sandbox activity: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	waitReady(env, s, ready, exited)

	cfg, err := cli.LoadConfig(cli.Globals{Config: s.ConfigPath(), ReadOnly: env.ReadOnly, Lang: env.Lang})
	var tuiErr error
	if err != nil {
		tuiErr = fmt.Errorf("the generated config is invalid (a bug): %w", err)
	} else {
		g := env.Globals
		g.Config = s.ConfigPath()
		tenv := cli.NewEnv(g, cfg)
		tenv.Stdin, tenv.Stdout, tenv.Stderr = env.Stdin, env.Stdout, env.Stderr
		tuiErr = tuicmd.Run(tenv)
	}

	stopErr := stopActivity(s, child, exited)
	fmt.Fprintf(env.Stdout, "demo sandbox left in %s\nits config: %s\n", s.Dir, s.ConfigPath())
	return errors.Join(tuiErr, stopErr)
}

// readyWait bounds the wait for the activity: a new datadir, the server's
// start and the seed take about 2 s here; a slow disk may take more.
const readyWait = 60 * time.Second

// waitReady waits until the activity says the box is up (its health server,
// first jobs and mariadbd started and seeded), so the first screen shows a
// live box and not "MySQL does not answer" until the next refresh. It stops
// waiting if the activity dies: the console then shows what is down.
func waitReady(env *cli.Env, s *demo.Sandbox, ready string, exited chan error) {
	if s.DBReal {
		fmt.Fprintf(env.Stdout, "starting the sandbox's mariadbd, redis and jobs (log: %s)...\n", filepath.Join(s.RunDir(), "activity.log"))
	}
	deadline := time.After(readyWait)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(ready); err == nil {
			return
		}
		select {
		case err := <-exited:
			exited <- err // for stopActivity
			return
		case <-deadline:
			fmt.Fprintf(env.Stdout, "the sandbox is not up after %s; starting the console anyway\n", readyWait)
			return
		case <-tick.C:
		}
	}
}

// stopActivity ends the activity's process group (TERM, then KILL) and
// then any recorded process still alive (the detached jobs).
func stopActivity(s *demo.Sandbox, child *exec.Cmd, exited chan error) error {
	pgid := child.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	// Anything of the group that outlived its leader.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	if left := demo.StopAll(s, 3*time.Second); len(left) > 0 {
		return fmt.Errorf("%d sandbox processes would not stop: %v", len(left), left)
	}
	return nil
}

// runActivity is `richsops-demo --run`: the background activity in the foreground.
func runActivity(env *cli.Env, dir string) error {
	s, err := demo.Open(dir)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	a, err := demo.Start(s, demo.RunOptions{Jobs: demo.DefaultJobs, Log: env.Stdout})
	if err != nil {
		return err
	}
	// "ready" once the server is up and seeded, or has failed (the activity
	// log says why; the console shows it down): the console waits for it.
	_ = a.WaitDB(ctx)
	_ = os.WriteFile(filepath.Join(s.RunDir(), "ready"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	fmt.Fprintf(env.Stdout, "demo activity running in %s (pid %d); stop with SIGTERM or ctrl+c\n", s.Dir, os.Getpid())
	<-ctx.Done()
	err = a.Stop()
	_ = os.Remove(filepath.Join(s.RunDir(), "ready"))
	fmt.Fprintln(env.Stdout, "demo activity stopped")
	return err
}

// signalContext ends on SIGINT, SIGTERM or SIGHUP, or when the process
// named by RICHSOPS_DEMO_PARENT (or our parent, for the writer) is gone.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	parent := os.Getppid()
	if p, err := strconv.Atoi(os.Getenv(envParent)); err == nil {
		parent = p
	}
	// Our own children (the writer) watch us, not the console.
	_ = os.Unsetenv(envParent)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if os.Getppid() != parent && syscall.Kill(parent, 0) != nil {
					stop()
					return
				}
			}
		}
	}()
	return ctx, stop
}

func sandboxFromArgs(args []string) (*demo.Sandbox, error) {
	f, err := parseFlags(args)
	if err != nil {
		return nil, err
	}
	if f.dir != "" {
		return demo.Open(f.dir)
	}
	wd, _ := os.Getwd()
	return demo.FindSandbox(wd)
}

func runWriter(env *cli.Env, args []string) error {
	s, err := sandboxFromArgs(args)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	return demo.RunWriter(ctx, s, demo.WriterOptions{})
}

func runJob(env *cli.Env, args []string) error {
	wd, _ := os.Getwd()
	s, err := demo.FindSandbox(wd)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	err = demo.RunJob(ctx, s, args, env.Stdout)
	if errors.Is(err, context.Canceled) {
		return cli.ExitError{Code: 143}
	}
	return err
}

func standin(fn func(*demo.Sandbox, []string, io.Writer, io.Writer) int) func(*cli.Env, []string) error {
	return func(env *cli.Env, args []string) error {
		wd, _ := os.Getwd()
		s, err := demo.FindSandbox(wd)
		if err != nil {
			return err
		}
		if code := fn(s, args, env.Stdout, env.Stderr); code != 0 {
			return cli.ExitError{Code: code}
		}
		return nil
	}
}

// runScenario is `scenario [--dir D] NAME`: the running sandbox's
// scenario, switched at once.
func runScenario(env *cli.Env, args []string) error {
	var dir, name string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--dir" && i+1 < len(args):
			i++
			dir = args[i]
		case strings.HasPrefix(a, "--dir="):
			dir = strings.TrimPrefix(a, "--dir=")
		case name == "" && !strings.HasPrefix(a, "-"):
			name = a
		default:
			return cli.Usagef("scenario: unexpected argument %q", a)
		}
	}
	if name == "" {
		return cli.Usagef("scenario: want a NAME: %s", strings.Join(demo.Scenarios, ", "))
	}
	return setScenario(env, dir, name)
}

func setScenario(env *cli.Env, dir, name string) error {
	var s *demo.Sandbox
	var err error
	if dir != "" {
		s, err = demo.Open(dir)
	} else {
		wd, _ := os.Getwd()
		s, err = demo.FindSandbox(wd)
	}
	if err != nil {
		return err
	}
	if err := s.SetScenario(name); err != nil {
		return cli.Usagef("%v", err)
	}
	fmt.Fprintf(env.Stdout, "demo scenario: %s\n", name)
	return nil
}
