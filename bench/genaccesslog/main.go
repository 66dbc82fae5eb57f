// Command genaccesslog writes a reproducible nginx access log in the
// combined format, for bench/traffic.sh: realistic paths, clients, agents
// and a status mix with some 4xx and 5xx, one second apart per few lines.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	size := flag.Int64("size", 1<<30, "bytes to write (stops at the first line past it)")
	out := flag.String("o", "access.log", "output file")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	paths := []string{"/", "/items", "/items/search", "/api/stock", "/static/app.js", "/static/app.css",
		"/admin/", "/admin/login/", "/favicon.ico", "/robots.txt", "/wp-login.php", "/images/"}
	methods := []string{"GET", "GET", "GET", "GET", "POST", "HEAD"}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"curl/8.5.0", "python-requests/2.32.3", "Googlebot/2.1 (+http://www.google.com/bot.html)",
	}
	referers := []string{"-", "https://richs.example/items", "https://www.google.com/"}
	statuses := []int{200, 200, 200, 200, 200, 200, 200, 200, 304, 301, 302, 404, 404, 403, 500, 502, 503}
	// A pool of clients, as a real site has: a few busy ones, many rare ones.
	clients := make([]string, 20000)
	for i := range clients {
		clients[i] = fmt.Sprintf("%d.%d.%d.%d", rng.IntN(223)+1, rng.IntN(256), rng.IntN(256), rng.IntN(256))
	}
	t := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("", 9*3600))
	var written int64
	for i := 0; written < *size; i++ {
		if i%3 == 0 {
			t = t.Add(time.Second)
		}
		p := paths[rng.IntN(len(paths))]
		if p == "/images/" || p == "/items" {
			p += fmt.Sprintf("%d?page=%d", rng.IntN(5000), rng.IntN(20))
		}
		n, _ := fmt.Fprintf(w, "%s - - [%s] \"%s %s HTTP/1.1\" %d %d \"%s\" \"%s\"\n",
			clients[int(rng.ExpFloat64()*2000)%len(clients)], t.Format("02/Jan/2006:15:04:05 -0700"),
			methods[rng.IntN(len(methods))], p, statuses[rng.IntN(len(statuses))], rng.IntN(60000),
			referers[rng.IntN(len(referers))], agents[rng.IntN(len(agents))])
		written += int64(n)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
