package services_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// TestJapanese builds each kind of service action with lang = "ja": the
// human words are Japanese, the commands exactly as in English.
func TestJapanese(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("mysqld", "active", false)
	sec := config.Duration{Duration: 20 * time.Second}
	cfg := unitConfig(sc, config.Service{Name: "mysqld", RetryOnTimeout: true, Timeout: sec})
	cfg.Lang = "ja"
	cfg.IndexLinux.PM2App = "il-test"
	cfg.IndexLinux.Script = "app.js"
	cfg.IndexLinux.Env = map[string]string{"SERVER": "srv1"}
	cfg.IndexLinux.RedisService = "redis"
	cfg.Services = append(cfg.Services,
		config.Service{Name: "redis", Kind: "command", Start: []string{"redis-server", "/etc/redis.conf"}, Stop: []string{"redis-cli", "shutdown"}, Timeout: sec},
		config.Service{Name: "index-linux", Kind: "pm2", App: "il-test", PM2: []string{"pm2"}, Timeout: sec})
	h := host.NewLocal()
	action := func(name string, v services.Verb) func() (gate.Action, error) {
		return func() (gate.Action, error) {
			spec, err := services.Find(cfg, name)
			if err != nil {
				return gate.Action{}, err
			}
			return services.Action(spec, h, v)
		}
	}
	for _, tc := range []struct {
		name  string
		build func() (gate.Action, error)
		want  []string
	}{
		{"systemd", action("mysqld", services.Restart), []string{
			sc.Path + " restart mysqld", "20秒以内に終わらなければもう一度だけ実行（手順書どおり）",
			"続けて「再び稼働（新しい pid か開始時刻）」になるまで最大20秒待つ",
		}},
		{"command", action("redis", services.Restart), []string{
			"redis-cli shutdown", "続けて redis-server /etc/redis.conf", "」になるまで最大20秒待つ",
		}},
		{"pm2", action("index-linux", services.Start), []string{
			"pm2 に il-test があれば:", "  env SERVER=srv1 pm2 restart il-test --update-env", "なければ:", "  env SERVER=srv1 pm2 start ",
			"その後も設定の env が反映されていなければ: pm2 delete il-test を実行して、上のとおり開始",
			"pm2 jlist で確認する env: SERVER=srv1", "続けて「稼働」になるまで最大20秒待つ",
		}},
		{"redis then index-linux", func() (gate.Action, error) {
			return services.RedisThenIndexLinux(cfg, host.NewRegistry(cfg), func(context.Context) (bool, string) { return true, "" })
		}, []string{
			"1. redis を再起動:", "   redis-cli shutdown", "2. 続けて index-linux を再起動:", "     env SERVER=srv1 pm2 restart il-test --update-env",
			"3. 続けて index-linux の状態を確認（pm2 online、ヘルス URL、Redis PING）",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { gatetest.PreviewHas(t, tc.build, tc.want...) })
	}

	// The outcome of a verified restart.
	a, err := action("mysqld", services.Restart)()
	if err != nil {
		t.Fatal(err)
	}
	res := gate.New(false, "").Do(context.Background(), a)
	if res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, strings.Join(res.Outcome.Details, "\n"))
	}
	if sum := res.Outcome.Summary; !strings.HasPrefix(sum, "mysqld を再起動しました（") || !strings.Contains(sum, "で確認）: 稼働、") || !strings.Contains(sum, "から") {
		t.Errorf("summary = %q", sum)
	}
	gatetest.Has(t, "details", res.Outcome.Details, "$ "+sc.Path+" restart mysqld: ok", "状態: 稼働、")
	if a.Name != "services.restart" || a.Target != "mysqld" {
		t.Errorf("audit identifiers changed: %s %s", a.Name, a.Target)
	}
}

// TestRefusals provokes the service refusals and failed verifications
// with lang = en and ja, on real commands (true, false) and a real pm2:
// English byte for byte as before, Japanese with the same names, verbs,
// config keys and state details; the audit log in English.
func TestRefusals(t *testing.T) {
	sec := config.Duration{Duration: time.Second}
	// cmd is a plain-command service "cmd" whose status command is status.
	cmd := func(status string, start, stop []string) config.Service {
		return config.Service{Name: "cmd", Kind: "command", Start: start, Stop: stop, Status: []string{status}, Timeout: sec}
	}
	cfgOf := func(lang string, s config.Service) *config.Config {
		cfg := config.Default()
		cfg.Lang = lang
		cfg.Services = []config.Service{s}
		return cfg
	}
	// do runs verb on the one service through the gate.
	do := func(svc func(t *testing.T) config.Service, v services.Verb) func(*testing.T, string) error {
		return func(t *testing.T, lang string) error {
			spec, err := services.Find(cfgOf(lang, svc(t)), "cmd")
			if err != nil {
				return err
			}
			a, err := services.Action(spec, host.NewLocal(), v)
			if err != nil {
				return err
			}
			return gate.New(false, "").Do(context.Background(), a).Err
		}
	}
	fixed := func(s config.Service) func(*testing.T) config.Service {
		return func(*testing.T) config.Service { return s }
	}
	log := func(s config.Service) func(*testing.T, string) error {
		return func(_ *testing.T, lang string) error {
			spec, err := services.Find(cfgOf(lang, s), "cmd")
			if err != nil {
				return err
			}
			_, err = services.Log(spec)
			return err
		}
	}
	up := cmd("true", []string{"true"}, []string{"true"})
	gatetest.Refusals(t, []gatetest.Refusal{
		{Name: "unknown service", Err: func(_ *testing.T, lang string) error {
			_, err := services.Find(cfgOf(lang, up), "nope")
			return err
		}, En: `no service named "nope" (configured: cmd)`, Ja: `"nope" という名前のサービスはありません（設定済み: cmd）`},
		{Name: "reload", Err: do(fixed(up), services.Reload),
			En: "cmd cannot reload (only systemd units with can_reload = true)", Ja: "cmd はリロードできません（can_reload = true の systemd ユニットのみ）"},
		{Name: "no start command", Err: do(fixed(cmd("true", nil, []string{"true"})), services.Start),
			En: "cmd has no start command configured", Ja: "cmd には start コマンドが設定されていません"},
		{Name: "start does not come up", Err: do(fixed(cmd("false", []string{"true"}, nil)), services.Start),
			En: "cmd: start ran, but after 1s it is down, false: exit status 1, not up",
			Ja: "cmd: start を実行しましたが、1秒経っても「稼働」になりません（今: 停止、false: exit status 1）"},
		{Name: "stop does not bring it down", Err: do(fixed(up), services.Restart),
			En: "cmd: stop ran, but after 1s it is up, not down", Ja: "cmd: stop を実行しましたが、1秒経っても「停止」になりません（今: 稼働）"},
		{Name: "pm2 app unknown, no script", Err: do(func(t *testing.T) config.Service {
			return config.Service{Name: "cmd", Kind: "pm2", App: "ghost", PM2: svctest.NewPM2(t).Argv, Timeout: sec}
		}, services.Start), En: "ghost is not in pm2's list and no script is configured to start it",
			Ja: "ghost は pm2 の一覧になく、開始するスクリプトも設定されていません"},
		{Name: "no log", Err: log(up), En: `cmd: no log configured (set log = "/path/to/file")`,
			Ja: `cmd: ログが設定されていません（log = "/path/to/file" を設定）`},
		{Name: "relative log", Err: log(config.Service{Name: "cmd", Kind: "command", Log: "cmd.log"}),
			En: `cmd: log "cmd.log" must be an absolute path or "journal"`, Ja: `cmd: log "cmd.log" は絶対パスか "journal" にしてください`},
	})
}
