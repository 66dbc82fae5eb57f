// Package attention is the vocabulary of the Overview's attention list: any
// source (host, Amazon, public files, nginx, and later jobs, services, the
// database) reports its problems as Items, and the overview shows them all,
// worst first. It is plain data so that ops packages can build Items and any
// tab can send a Report as a message without importing the overview. An
// Item names the area (domain) that acts on it, never a UI tab: the console
// maps areas to its tabs.
package attention

import "sort"

// Severities of an Item.
const (
	OK   = 0
	Warn = 1
	Crit = 2
)

// Area is the domain whose screen acts on an Item, by name: the console
// maps it to its tab, richsops check prints it. "" is the overview.
type Area string

// The areas, named as richsops check prints them.
const (
	AreaOverview Area = "overview"
	AreaJobs     Area = "jobs"
	AreaLogs     Area = "logs"
	AreaDatabase Area = "database"
	AreaServices Area = "services"
)

// Item is one thing that needs (or, at OK, does not need) attention.
type Item struct {
	Severity int    // OK, Warn or Crit
	Source   string // who reported it: "host", "amazon", "jobs", ...
	Text     string // one line, in the operator's language
	Key      string // the key that acts on it, shown beside it ("enter", "C"); "" = none
	Area     Area   // the domain that acts on it (AreaJobs...); enter goes there
	// Subject is what the key acts on when the Overview acts itself (the
	// job of a missed run); "" = the area's own selection.
	Subject string
}

// Report replaces everything Source said before with Items (an empty list
// clears it). Tabs send it as a tea.Msg; the overview keys it by Source, so
// new sources need no change in the overview.
type Report struct {
	Source string
	Items  []Item
}

// Sort orders items worst first; within a severity by source, then text, so
// the list does not jump around between refreshes.
func Sort(items []Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Text < b.Text
	})
}

// Worst is the highest severity among items (OK for none).
func Worst(items []Item) int {
	w := OK
	for _, it := range items {
		w = max(w, it.Severity)
	}
	return w
}

// Level is the severity of value against warn and crit thresholds (a
// threshold <= 0 is off).
func Level(value, warn, crit float64) int {
	switch {
	case crit > 0 && value >= crit:
		return Crit
	case warn > 0 && value >= warn:
		return Warn
	}
	return OK
}
