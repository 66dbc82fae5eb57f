// Package freeport finds a TCP port on 127.0.0.1 that nothing listens on:
// for the servers the tests and the demo start on loopback, and for tests
// that need a port where a connection is refused.
package freeport

import (
	"fmt"
	"net"
)

// Loopback is a port on 127.0.0.1 that nothing listens on right now (the
// kernel picked it; it stays free until someone binds it).
func Loopback() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// T is the part of testing.TB that For uses (this package does not import
// testing: the demo links it).
type T interface {
	Helper()
	Fatal(args ...any)
}

// For is Loopback for a test: it fails the test when no port is found.
func For(t T) int {
	t.Helper()
	p, err := Loopback()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
