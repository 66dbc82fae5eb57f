// Package filltest writes the samples of a disk filling at a known rate
// into a real history database, for the forecast's tests.
package filltest

import (
	"context"
	"testing"
	"time"

	"github.com/richs/richsops/ops/history"
)

// Hour is an hour of samples of metric on hostName, a minute apart, ending
// at end with freeEnd bytes free, filling perHour bytes an hour (negative:
// free space grows).
func Hour(metric, hostName string, end time.Time, freeEnd, perHour float64) []history.Sample {
	ss := make([]history.Sample, 0, 61)
	for i := 0; i <= 60; i++ {
		ss = append(ss, history.Sample{Metric: metric, Host: hostName, Time: end.Add(time.Duration(i-60) * time.Minute),
			Value: freeEnd + perHour*float64(60-i)/60})
	}
	return ss
}

// Add writes ss into the history database at path (created when missing).
func Add(t testing.TB, path string, ss []history.Sample) {
	t.Helper()
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddSamples(ctx, ss); err != nil {
		t.Fatal(err)
	}
}
