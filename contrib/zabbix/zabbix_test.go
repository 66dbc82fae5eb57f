// Package zabbix holds the tests of the Zabbix agent's UserParameter file
// and the template beside it: the real zabbix_agentd runs each key against
// the demo sandbox, and the template is checked against the file.
package zabbix

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/richs/richsops/internal/demo"
	"github.com/richs/richsops/internal/testenv/testbin"
	"github.com/richs/richsops/ops/check"
)

const (
	confFile     = "userparameter_richsops.conf"
	templateFile = "template_richsops.yaml"
	templateName = "richsops"
)

// disks are the arguments of `richsops forecast --zabbix`.
var disks = []string{"root", "datadir", "public"}

// userParameters reads the UserParameter lines: key -> command.
func userParameters(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(confFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		v, ok := strings.CutPrefix(line, "UserParameter=")
		if !ok {
			continue
		}
		key, cmd, ok := strings.Cut(v, ",")
		if !ok || cmd == "" {
			t.Fatalf("%s: %q has no command", confFile, line)
		}
		if _, dup := out[key]; dup {
			t.Fatalf("%s: key %s twice (the agent refuses to start)", confFile, key)
		}
		out[key] = cmd
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// served says whether the agent answers key from ups: the key itself, or
// a flexible base[*] for base[params].
func served(ups map[string]string, key string) bool {
	if _, ok := ups[key]; ok {
		return true
	}
	base, _, ok := strings.Cut(key, "[")
	if !ok || !strings.HasSuffix(key, "]") {
		return false
	}
	_, ok = ups[base+"[*]"]
	return ok
}

// The shape of a 6.0 export: only fields of Zabbix 6.0's import schema,
// and the decoder refuses any other, as the import does ("unexpected
// tag"), so a misspelt field fails here and not at the import.
type (
	export struct {
		Export struct {
			Version   string     `yaml:"version"`
			Date      string     `yaml:"date"`
			Groups    []named    `yaml:"groups"`
			Templates []template `yaml:"templates"`
		} `yaml:"zabbix_export"`
	}
	named struct {
		UUID string `yaml:"uuid"`
		Name string `yaml:"name"`
	}
	tag struct {
		Tag   string `yaml:"tag"`
		Value string `yaml:"value"`
	}
	template struct {
		UUID           string      `yaml:"uuid"`
		Template       string      `yaml:"template"`
		Name           string      `yaml:"name"`
		Description    string      `yaml:"description"`
		Groups         []named     `yaml:"groups"`
		Items          []item      `yaml:"items"`
		DiscoveryRules []discovery `yaml:"discovery_rules"`
		Tags           []tag       `yaml:"tags"`
		Macros         []struct {
			Macro       string `yaml:"macro"`
			Value       string `yaml:"value"`
			Description string `yaml:"description"`
		} `yaml:"macros"`
		Valuemaps []struct {
			named    `yaml:",inline"`
			Mappings []struct {
				Type     string `yaml:"type"`
				Value    string `yaml:"value"`
				NewValue string `yaml:"newvalue"`
			} `yaml:"mappings"`
		} `yaml:"valuemaps"`
	}
	item struct {
		UUID              string    `yaml:"uuid"`
		Name              string    `yaml:"name"`
		Key               string    `yaml:"key"`
		Delay             string    `yaml:"delay"`
		History           string    `yaml:"history"`
		Trends            string    `yaml:"trends"`
		ValueType         string    `yaml:"value_type"`
		Units             string    `yaml:"units"`
		Description       string    `yaml:"description"`
		Valuemap          *named    `yaml:"valuemap"`
		Tags              []tag     `yaml:"tags"`
		Triggers          []trigger `yaml:"triggers"`
		TriggerPrototypes []trigger `yaml:"trigger_prototypes"`
	}
	trigger struct {
		UUID               string    `yaml:"uuid"`
		Name               string    `yaml:"name"`
		Expression         string    `yaml:"expression"`
		RecoveryMode       string    `yaml:"recovery_mode"`
		RecoveryExpression string    `yaml:"recovery_expression"`
		Opdata             string    `yaml:"opdata"`
		Priority           string    `yaml:"priority"`
		Description        string    `yaml:"description"`
		Dependencies       []trigger `yaml:"dependencies"`
		Tags               []tag     `yaml:"tags"`
	}
	discovery struct {
		UUID           string `yaml:"uuid"`
		Name           string `yaml:"name"`
		Key            string `yaml:"key"`
		Delay          string `yaml:"delay"`
		Lifetime       string `yaml:"lifetime"`
		Description    string `yaml:"description"`
		ItemPrototypes []item `yaml:"item_prototypes"`
		MacroPaths     []struct {
			Macro string `yaml:"lld_macro"`
			Path  string `yaml:"path"`
		} `yaml:"lld_macro_paths"`
	}
)

func readTemplate(t *testing.T) (export, []byte) {
	t.Helper()
	b, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var e export
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("%s: %v", templateFile, err)
	}
	return e, b
}

// allUUIDs walks the whole document: every uuid: at any depth.
func allUUIDs(n *yaml.Node, out *[]string) {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "uuid" {
			*out = append(*out, n.Content[i+1].Value)
		}
	}
	for _, c := range n.Content {
		allUUIDs(c, out)
	}
}

var (
	// uuidV4 is what the import wants: 32 lower-case hex digits, version 4.
	uuidV4 = regexp.MustCompile(`^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$`)
	// itemRef is an item reference of the 6.0 expression syntax.
	itemRef  = regexp.MustCompile(`/([^/()]+)/([a-z0-9._]+(?:\[[^\]]*\])?)`)
	userMacs = regexp.MustCompile(`\{\$[A-Z0-9._]+\}`)
)

// The values Zabbix 6.0's import takes for these fields.
var (
	valueTypes    = []string{"", "FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
	priorities    = []string{"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"}
	recoveryModes = []string{"", "EXPRESSION", "RECOVERY_EXPRESSION", "NONE"}
	mappingTypes  = []string{"", "EQUAL", "GREATER_OR_EQUAL", "LESS_OR_EQUAL", "IN_RANGE", "REGEXP", "DEFAULT"}
)

// TestTemplate checks the template against the UserParameter file and the
// sources richsops has: every key served, every trigger on an item of the
// template, unique version-4 UUIDs, a CRIT and a WARN for each level.
func TestTemplate(t *testing.T) {
	ups := userParameters(t)
	e, raw := readTemplate(t)
	if e.Export.Version != "6.0" {
		t.Errorf("version %q, want '6.0'", e.Export.Version)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var uuids []string
	allUUIDs(&doc, &uuids)
	seen := map[string]bool{}
	for _, u := range uuids {
		if !uuidV4.MatchString(u) {
			t.Errorf("uuid %q: want 32 hex digits of a version-4 UUID", u)
		}
		if seen[u] {
			t.Errorf("uuid %s twice", u)
		}
		seen[u] = true
	}
	if len(e.Export.Templates) != 1 || e.Export.Templates[0].Template != templateName {
		t.Fatalf("want one template %q, got %+v", templateName, e.Export.Templates)
	}
	tp := e.Export.Templates[0]
	groups := map[string]bool{}
	for _, g := range e.Export.Groups {
		groups[g.Name] = true
	}
	for _, g := range tp.Groups {
		if !groups[g.Name] {
			t.Errorf("template group %q is not among the export's groups", g.Name)
		}
	}
	macros := map[string]bool{}
	for _, m := range tp.Macros {
		macros[m.Macro] = true
	}
	valuemaps := map[string]bool{}
	for _, v := range tp.Valuemaps {
		valuemaps[v.Name] = true
		for _, m := range v.Mappings {
			if !slices.Contains(mappingTypes, m.Type) || m.NewValue == "" {
				t.Errorf("value map %q: mapping %+v", v.Name, m)
			}
		}
	}

	// keys of the template's items; prototypes see both theirs and these.
	// A trigger can depend on any trigger of the template's items.
	keys := map[string]bool{}
	triggers := map[string]trigger{}
	for _, it := range tp.Items {
		keys[it.Key] = true
		for _, tr := range it.Triggers {
			if _, dup := triggers[tr.Name]; dup {
				t.Errorf("trigger name %q twice", tr.Name)
			}
			triggers[tr.Name] = tr
		}
	}
	checkItem := func(it item, scope map[string]bool, prototype bool) {
		t.Helper()
		if !served(ups, it.Key) {
			t.Errorf("item %s: no UserParameter in %s serves it", it.Key, confFile)
		}
		if it.UUID == "" || it.Name == "" || it.Delay == "" {
			t.Errorf("item %s: uuid, name and delay are needed", it.Key)
		}
		if !slices.Contains(valueTypes, it.ValueType) {
			t.Errorf("item %s: value_type %q", it.Key, it.ValueType)
		}
		if it.Valuemap != nil && !valuemaps[it.Valuemap.Name] {
			t.Errorf("item %s: value map %q is not in the template", it.Key, it.Valuemap.Name)
		}
		ts := it.Triggers
		if prototype {
			ts = it.TriggerPrototypes
			if len(it.Triggers) > 0 {
				t.Errorf("item prototype %s: triggers: go in trigger_prototypes", it.Key)
			}
		}
		for _, tr := range ts {
			checkTrigger(t, tr, it.Key, scope, macros)
			for _, d := range tr.Dependencies {
				if dep, ok := triggers[d.Name]; !ok || dep.Expression != d.Expression || dep.RecoveryExpression != d.RecoveryExpression {
					t.Errorf("trigger %q depends on %q, which is not a trigger of the template as written", tr.Name, d.Name)
				}
			}
		}
	}
	for _, it := range tp.Items {
		checkItem(it, keys, false)
	}
	var prototypes []string
	for _, d := range tp.DiscoveryRules {
		if !served(ups, d.Key) {
			t.Errorf("discovery rule %s: no UserParameter serves it", d.Key)
		}
		scope := maps.Clone(keys)
		for _, it := range d.ItemPrototypes {
			scope[it.Key] = true
			prototypes = append(prototypes, it.Key)
		}
		for _, it := range d.ItemPrototypes {
			checkItem(it, scope, true)
		}
		for _, m := range d.MacroPaths {
			if m.Macro != "{#JOB}" || m.Path != "$.name" {
				t.Errorf("discovery %s: macro path %s %s, want {#JOB} from $.name (jobs list --json)", d.Key, m.Macro, m.Path)
			}
		}
	}

	// One item per source richsops has, per disk, and the jobs' prototype,
	// each with a trigger at each level.
	byKey := map[string]item{}
	for _, it := range tp.Items {
		byKey[it.Key] = it
	}
	levels := func(key string, ts []trigger) {
		t.Helper()
		var ps []string
		for _, tr := range ts {
			ps = append(ps, tr.Priority)
		}
		if !slices.Contains(ps, "HIGH") || !slices.Contains(ps, "WARNING") {
			t.Errorf("%s: triggers at %v, want a CRIT (HIGH) and a WARN (WARNING)", key, ps)
		}
	}
	for _, src := range check.Names() {
		it, ok := byKey["richsops.check["+src+"]"]
		if !ok {
			t.Errorf("check source %s has no item richsops.check[%s]", src, src)
			continue
		}
		levels(it.Key, it.Triggers)
	}
	for _, d := range disks {
		it, ok := byKey["richsops.forecast["+d+"]"]
		if !ok || it.ValueType != "FLOAT" {
			t.Errorf("disk %s: want a FLOAT item richsops.forecast[%s] (hours, -1)", d, d)
			continue
		}
		levels(it.Key, it.Triggers)
	}
	if len(prototypes) != 1 || prototypes[0] != "richsops.job.last[{#JOB}]" {
		t.Errorf("item prototypes %v, want richsops.job.last[{#JOB}]", prototypes)
	}
	for _, d := range tp.DiscoveryRules {
		for _, it := range d.ItemPrototypes {
			if it.ValueType != "FLOAT" {
				t.Errorf("%s: value_type %q, want FLOAT (it can be -1)", it.Key, it.ValueType)
			}
			levels(it.Key, it.TriggerPrototypes)
		}
	}
}

// checkTrigger: a uuid, a priority of the import, and every item reference
// of its expressions on this template, on a key in scope, its own among
// them; every user macro defined.
func checkTrigger(t *testing.T, tr trigger, own string, scope, macros map[string]bool) {
	t.Helper()
	if tr.UUID == "" || tr.Name == "" {
		t.Errorf("trigger %q on %s: uuid and name are needed", tr.Name, own)
	}
	if !slices.Contains(priorities, tr.Priority) {
		t.Errorf("trigger %q: priority %q", tr.Name, tr.Priority)
	}
	if !slices.Contains(recoveryModes, tr.RecoveryMode) {
		t.Errorf("trigger %q: recovery_mode %q", tr.Name, tr.RecoveryMode)
	}
	if (tr.RecoveryMode == "RECOVERY_EXPRESSION") != (tr.RecoveryExpression != "") {
		t.Errorf("trigger %q: a recovery expression goes with recovery_mode RECOVERY_EXPRESSION", tr.Name)
	}
	mine := false
	for _, ex := range []string{tr.Expression, tr.RecoveryExpression} {
		if ex == "" {
			continue
		}
		refs := itemRef.FindAllStringSubmatch(ex, -1)
		if strings.Contains(ex, "{") && strings.Contains(ex, "last(") && len(refs) == 0 {
			t.Errorf("trigger %q: %q has no item reference", tr.Name, ex)
		}
		for _, r := range refs {
			if r[1] != templateName {
				t.Errorf("trigger %q: %q refers to host %q, want /%s/", tr.Name, ex, r[1], templateName)
			}
			if !scope[r[2]] {
				t.Errorf("trigger %q: %q refers to %s, not an item of the template", tr.Name, ex, r[2])
			}
			mine = mine || r[2] == own
		}
		for _, m := range userMacs.FindAllString(ex, -1) {
			if !macros[m] {
				t.Errorf("trigger %q: macro %s is not defined in the template", tr.Name, m)
			}
		}
	}
	if tr.Expression == "" || !mine {
		t.Errorf("trigger %q under %s does not refer to it", tr.Name, own)
	}
}

// agentValue runs `zabbix_agentd -t key` and returns the value of its
// "key  [t|value]" line; ok false for an unsupported key ([m|ZBX_NOTSUPPORTED]).
func agentValue(t *testing.T, agent, conf string, env []string, key string) (string, bool) {
	t.Helper()
	cmd := exec.Command(agent, "-c", conf, "-t", key)
	cmd.Env = env
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("zabbix_agentd -t %s: %v\n%s", key, err, b)
	}
	out := strings.TrimRight(string(b), "\n")
	rest, ok := strings.CutPrefix(out, key)
	if !ok {
		t.Fatalf("zabbix_agentd -t %s: %q does not start with the key", key, out)
	}
	rest = strings.TrimLeft(rest, " ")
	if v, ok := strings.CutPrefix(rest, "[t|"); ok && strings.HasSuffix(v, "]") {
		return strings.TrimSuffix(v, "]"), true
	}
	return rest, false
}

// TestAgent runs the real zabbix_agentd on the UserParameter file against
// the demo sandbox: every check source, the jobs' discovery, each job's
// last run (the sandbox's seeded history) and each disk's forecast.
func TestAgent(t *testing.T) {
	agent, err := exec.LookPath("zabbix_agentd")
	if err != nil {
		agent = "/usr/sbin/zabbix_agentd" // Debian's, often not on a user's PATH
		if _, err := os.Stat(agent); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("zabbix_agentd is not installed (.ci/run installs zabbix-agent)")
			}
			t.Skip("zabbix_agentd is not installed (apt-get install zabbix-agent)")
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	testbin.Build(t, "github.com/richs/richsops", filepath.Join(bin, "richsops"))
	demoBin := testbin.Build(t, "github.com/richs/richsops/cmd/richsops-demo", filepath.Join(dir, "richsops-demo"))
	s, err := demo.Build(filepath.Join(dir, "sandbox"), demo.Options{Bin: demoBin, FakeDB: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { demo.StopAll(s, time.Second) })

	up, err := filepath.Abs(confFile)
	if err != nil {
		t.Fatal(err)
	}
	// -t runs the key in this process's user and environment, without
	// the daemon's log or pid file.
	conf := filepath.Join(dir, "zabbix_agentd.conf")
	if err := os.WriteFile(conf, []byte("LogType=console\nTimeout=30\nInclude="+up+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The sandbox's stand-ins (systemctl, pm2) first, as the demo runs it.
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+s.BinDir()+string(os.PathListSeparator)+os.Getenv("PATH"),
		"RICHSOPS_CONFIG="+s.ConfigPath(), "LANG=C")
	richsops := filepath.Join(bin, "richsops")
	direct := func(args ...string) string {
		cmd := exec.Command(richsops, args...)
		cmd.Env = env
		b, _ := cmd.Output()
		return strings.TrimSpace(string(b))
	}

	t.Run("checks", func(t *testing.T) {
		// Fixed by the sandbox at rest: nothing listens for index-linux or
		// the database, and the seeded last run of check_item_yahoo was
		// killed.
		fixed := map[string]string{"index-linux": "2", "db": "2", "runs": "1"}
		for _, src := range check.Names() {
			key := "richsops.check[" + src + "]"
			v, ok := agentValue(t, agent, conf, env, key)
			if !ok || (v != "0" && v != "1" && v != "2") {
				t.Errorf("%s: %q, want 0, 1 or 2", key, v)
				continue
			}
			if want, ok := fixed[src]; ok && v != want {
				t.Errorf("%s = %s, want %s", key, v, want)
			}
			// The same as richsops gives by itself (a second try for a
			// check whose state moved between the two, as the clock does).
			if d := direct("check", "--zabbix", "--only", src); d != v {
				v2, _ := agentValue(t, agent, conf, env, key)
				if d2 := direct("check", "--zabbix", "--only", src); v2 != d2 {
					t.Errorf("%s = %s then %s through the agent, %s then %s run directly", key, v, v2, d, d2)
				}
			}
		}
		if v, ok := agentValue(t, agent, conf, env, "richsops.check[bogus]"); ok && v == "0" {
			t.Errorf("an unknown source gave %q: it must not look OK", v)
		}
	})

	t.Run("jobs", func(t *testing.T) {
		v, ok := agentValue(t, agent, conf, env, "richsops.jobs.discovery")
		var rows []map[string]any
		if !ok || json.Unmarshal([]byte(v), &rows) != nil {
			t.Fatalf("discovery: %q, want the JSON of jobs list", v)
		}
		var names []string
		for _, r := range rows {
			n, _ := r["name"].(string)
			names = append(names, n)
		}
		if !slices.Equal(names, demo.JobNames) {
			t.Errorf("discovered %v, want %v", names, demo.JobNames)
		}
		for _, job := range demo.JobNames {
			want := "0"
			if job == "check_item_yahoo" { // its seeded last run was killed
				want = "2"
			}
			key := "richsops.job.last[" + job + "]"
			if v, ok := agentValue(t, agent, conf, env, key); !ok || v != want {
				t.Errorf("%s = %q, want %s", key, v, want)
			}
		}
	})

	t.Run("forecast", func(t *testing.T) {
		cmd := exec.Command(richsops, "forecast", "--help")
		cmd.Env = env
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("richsops has no forecast subcommand on this branch yet (%s): richsops.forecast[*] untested", strings.TrimSpace(firstLine(string(b))))
		}
		for _, d := range disks {
			key := "richsops.forecast[" + d + "]"
			v, ok := agentValue(t, agent, conf, env, key)
			h, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil || (h < 0 && h != -1) {
				t.Errorf("%s: %q, want hours or -1", key, v)
			}
		}
	})
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
