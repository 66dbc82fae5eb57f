package freeport

import (
	"net"
	"strconv"
	"testing"
)

// The port is free: a listener can take it, and before that a connection
// is refused.
func TestLoopbackIsFree(t *testing.T) {
	p := For(t)
	addr := "127.0.0.1:" + strconv.Itoa(p)
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("%s accepted a connection", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("could not listen on the free port: %v", err)
	}
	l.Close()
}
