package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Scenarios a demo can be put in while it runs (richsops-demo --scenario,
// richsops-demo scenario NAME).
const (
	ScenarioNormal = "normal"
	// ScenarioNotFound: index-linux answers, but "not found" for every
	// item: the Mercari check withdraws everything it checks, which the
	// guard cannot see and the brake stops.
	ScenarioNotFound = "not-found"
)

// Scenarios are the names SetScenario takes.
var Scenarios = []string{ScenarioNormal, ScenarioNotFound}

// ScenarioFile holds the sandbox's scenario (absent: normal).
func (s *Sandbox) ScenarioFile() string { return filepath.Join(s.RunDir(), "scenario") }

// Scenario is the sandbox's scenario now.
func (s *Sandbox) Scenario() string {
	data, err := os.ReadFile(s.ScenarioFile())
	if v := strings.TrimSpace(string(data)); err == nil && v != "" {
		return v
	}
	return ScenarioNormal
}

// SetScenario puts the sandbox in a scenario; it takes effect at once in
// the running activity.
func (s *Sandbox) SetScenario(name string) error {
	known := false
	for _, n := range Scenarios {
		known = known || n == name
	}
	if !known {
		return fmt.Errorf("unknown scenario %q (want one of %s)", name, strings.Join(Scenarios, ", "))
	}
	if name == ScenarioNormal {
		if err := os.Remove(s.ScenarioFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return write(s.ScenarioFile(), name+"\n", 0o644)
}

// itemHandler is index-linux's item lookup: in stock normally, 404 "not
// found" for everything in the not-found scenario.
func itemHandler(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if s.Scenario() == ScenarioNotFound {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintln(w, `{"status":"not found"}`)
			return
		}
		fmt.Fprintln(w, `{"status":"in_stock"}`)
	}
}

// itemURL is index-linux's item lookup for the Mercari check stand-in.
func (s *Sandbox) itemURL(id string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/item/%s", s.HealthPort, id)
}

// notFound asks index-linux about one item: true when it answers "not
// found" (a failure to ask is not an answer: false).
func notFound(ctx context.Context, s *Sandbox, id string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.itemURL(id), nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusNotFound
}

// notFoundPerTick is how many items the Mercari check withdraws per tick
// while index-linux says "not found" for everything.
const notFoundPerTick = 8

// NotFoundLines are one tick of a Mercari check told "not found" for every
// item: each withdrawn.
func (l *Lines) NotFoundLines(t time.Time, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = Django(t, "INFO", "inventory.mercari", fmt.Sprintf("在庫切れ → 出品取り下げ: %s (%s) ASIN %s (index-linux: not found)", l.pick(products), l.mercariID(), l.asin()))
	}
	return out
}
