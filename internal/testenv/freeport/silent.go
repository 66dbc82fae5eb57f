package freeport

import (
	"net"
	"sync"
)

// CleanupT is T with Cleanup (testing.TB has both).
type CleanupT interface {
	T
	Cleanup(func())
}

// Silent listens on a loopback port that accepts connections and never
// says a word (a host whose sshd hangs, a chat server that never answers);
// the listener and what it accepted close when the test ends.
func Silent(t CleanupT) *net.TCPAddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr)
}
