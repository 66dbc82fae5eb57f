//go:build race

package history

// The race detector makes the year fill take minutes: TestYearUnder50MB
// runs without it (bench/history.sh measures the same fill).
const raceEnabled = true
