package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Lines makes realistic log lines for the sandbox: Django logging format for
// the four app logs, nginx "combined" for the access log and nginx's own
// format for the error log. It is not safe for concurrent use.
type Lines struct {
	rng *rand.Rand
}

// NewLines returns a line maker; the same seed gives the same lines.
func NewLines(seed uint64) *Lines {
	return &Lines{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// The product names the operators see every day: Japanese, with full-width
// brackets and digits, so widths in cells matter.
var products = []string{
	"【新品未開封】ニンテンドースイッチ 有機ELモデル ホワイト",
	"ソニー ワイヤレスノイズキャンセリングヘッドホン WH-1000XM5 ブラック",
	"象印 圧力IH炊飯ジャー 極め炊き 5.5合",
	"ポケモンカード 151 BOX シュリンク付き",
	"ダイソン コードレス掃除機 V12 Detect Slim",
	"アイリスオーヤマ 加湿器 スチーム式 ホワイト",
	"パナソニック ドライヤー ナノケア EH-NA0J",
	"ＬＥＧＯ レゴ テクニック ランボルギーニ",
	"無印良品 ポリプロピレン収納ケース・引出式・深型",
	"シャープ プラズマクラスター空気清浄機 ＫＩ－ＳＸ７５",
	"タイガー魔法瓶 真空断熱ボトル ５００ｍｌ",
	"バンダイ 一番くじ ワンピース Ａ賞 フィギュア",
	"資生堂 アネッサ パーフェクトUV スキンケアミルク",
	"キヤノン インクカートリッジ BCI-381+380/6MP",
}

func (l *Lines) pick(list []string) string { return list[l.rng.IntN(len(list))] }

func (l *Lines) asin() string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	var b strings.Builder
	b.WriteString("B0")
	for range 8 {
		b.WriteByte(chars[l.rng.IntN(len(chars))])
	}
	return b.String()
}

func (l *Lines) mercariID() string { return fmt.Sprintf("m%011d", l.rng.Int64N(1e11)) }
func (l *Lines) yahooID() string {
	return fmt.Sprintf("%s/%s-%04d", l.pick([]string{"kaden-store", "hobby-one", "zakka-plus"}), l.pick([]string{"a", "b", "x"}), l.rng.IntN(10000))
}

// djangoStamp is Django's default asctime: 2026-11-27 10:15:02,123.
func djangoStamp(t time.Time) string {
	return t.Format("2006-01-02 15:04:05") + fmt.Sprintf(",%03d", t.Nanosecond()/1e6)
}

// Django formats one record like the app's LOGGING: [asctime] LEVEL logger: message.
func Django(t time.Time, level, logger, msg string) string {
	return fmt.Sprintf("[%s] %s %s: %s", djangoStamp(t), level, logger, msg)
}

// traceback is a Python traceback as logging.exception prints it after the
// record's line.
func (l *Lines) traceback(appDir string) []string {
	switch l.rng.IntN(3) {
	case 0:
		return []string{
			"Traceback (most recent call last):",
			`  File "` + appDir + `/inventory/mercari.py", line 212, in fetch_item`,
			"    resp = self.session.get(url, timeout=10)",
			`  File "/usr/lib/python3.9/site-packages/requests/sessions.py", line 555, in get`,
			"    return self.request('GET', url, **kwargs)",
			"requests.exceptions.ReadTimeout: HTTPConnectionPool(host='127.0.0.1', port=3000): Read timed out. (read timeout=10)",
		}
	case 1:
		return []string{
			"Traceback (most recent call last):",
			`  File "` + appDir + `/inventory/yahoo.py", line 148, in parse_stock`,
			"    stock = int(item['stock'])",
			"KeyError: 'stock'",
		}
	}
	return []string{
		"Traceback (most recent call last):",
		`  File "` + appDir + `/amazon/feed.py", line 87, in submit`,
		"    result = self.client.submit_feed(feed_type, body)",
		`  File "` + appDir + `/amazon/client.py", line 301, in submit_feed`,
		"    raise AmazonApiError(resp.status_code, resp.text[:200])",
		"amazon.client.AmazonApiError: (429, 'QuotaExceeded: You exceeded your quota for the requested resource.')",
	}
}

// Inventory is one line (or a record and its traceback) of a stock check:
// source is "mercari" or "yahoo".
func (l *Lines) Inventory(t time.Time, source, appDir string) []string {
	logger := "inventory." + source
	id := l.mercariID()
	if source == "yahoo" {
		id = l.yahooID()
	}
	p := l.pick(products)
	switch r := l.rng.IntN(100); {
	case r < 55:
		return []string{Django(t, "INFO", logger, fmt.Sprintf("在庫あり: %s (%s) ASIN %s", p, id, l.asin()))}
	case r < 70:
		return []string{Django(t, "INFO", logger, fmt.Sprintf("在庫切れ → 出品取り下げ: %s (%s) ASIN %s", p, id, l.asin()))}
	case r < 80:
		return []string{Django(t, "INFO", logger, fmt.Sprintf("再入荷 → 出品復活: %s (%s) ASIN %s", p, id, l.asin()))}
	case r < 88:
		n := l.rng.IntN(900) + 50
		return []string{Django(t, "INFO", logger, fmt.Sprintf("progress %d/%d items (workers=14)", n, n+l.rng.IntN(400)))}
	case r < 96:
		return []string{Django(t, "WARNING", logger, fmt.Sprintf("価格を取得できません: %s (%s); retry 1/3", p, id))}
	}
	return append([]string{Django(t, "ERROR", logger, fmt.Sprintf("failed to fetch item %s", id))}, l.traceback(appDir)...)
}

// App is a line of the general django.log.
func (l *Lines) App(t time.Time, appDir string) []string {
	switch r := l.rng.IntN(100); {
	case r < 40:
		return []string{Django(t, "INFO", "amazon.scraper", fmt.Sprintf("GET https://www.amazon.co.jp/dp/%s 200 OK (%.2fs)", l.asin(), 0.3+l.rng.Float64()))}
	case r < 65:
		return []string{Django(t, "INFO", "items.views", fmt.Sprintf("CSV upload accepted: %d rows (tmp/upload-%d.csv)", l.rng.IntN(3000)+10, l.rng.IntN(99999)))}
	case r < 80:
		return []string{Django(t, "WARNING", "django.request", "Not Found: "+l.pick([]string{"/favicon.ico", "/wp-login.php", "/.env", "/items/99999/"}))}
	case r < 92:
		return []string{Django(t, "INFO", "items.export", fmt.Sprintf("export written: output/items-%s.csv", t.Format("20060102-1504")))}
	}
	return append([]string{Django(t, "ERROR", "django.request", "Internal Server Error: /items/upload/")}, l.traceback(appDir)...)
}

// Feed is a line of update-amazon-feed.log (UpdateAmazonFeed).
func (l *Lines) Feed(t time.Time, appDir string) []string {
	switch r := l.rng.IntN(100); {
	case r < 45:
		return []string{Django(t, "INFO", "amazon.feed", fmt.Sprintf("UpdateAmazonFeed: submitted feed %d (%d items)", 50000000000+l.rng.Int64N(1e9), l.rng.IntN(200)+1))}
	case r < 80:
		return []string{Django(t, "INFO", "amazon.feed", "feed processing status: "+l.pick([]string{"_IN_PROGRESS_", "_DONE_", "_SUBMITTED_"}))}
	case r < 95:
		return []string{Django(t, "WARNING", "amazon.feed", fmt.Sprintf("feed result: %d errors (SKU %s: 在庫数が不正です)", l.rng.IntN(5)+1, l.asin()))}
	}
	return append([]string{Django(t, "ERROR", "amazon.feed", "UpdateAmazonFeed failed")}, l.traceback(appDir)...)
}

// Amazon503 is one line of a rate block by Amazon, as AmazonScraper logs it.
func (l *Lines) Amazon503(t time.Time) string {
	return Django(t, "WARNING", "amazon.scraper", fmt.Sprintf("GET https://www.amazon.co.jp/dp/%s 503 Service Unavailable", l.asin()))
}

var (
	clients = []string{"192.0.2.10", "192.0.2.77", "198.51.100.23", "198.51.100.140", "203.0.113.7", "203.0.113.55"}
	agents  = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"python-requests/2.31.0",
		"curl/8.5.0",
	}
	paths = []string{"/", "/items/", "/items/?page=2", "/items/12345/", "/items/upload/", "/items/export/", "/static/css/app.css", "/static/js/app.js", "/images/B0CHX1W1XY_1.jpg", "/output/items-20261127.csv", "/admin/", "/api/stock/", "/favicon.ico", "/wp-login.php"}
)

// Access is one nginx access log line in the combined format.
func (l *Lines) Access(t time.Time) string {
	path := l.pick(paths)
	method := "GET"
	if path == "/items/upload/" && l.rng.IntN(2) == 0 {
		method = "POST"
	}
	status := 200
	switch r := l.rng.IntN(100); {
	case r < 8:
		status = 304
	case r < 12:
		status = 302
	case r < 18:
		status = 404
	case r < 19:
		status = 499
	case r < 21:
		status = 500
	case r < 23:
		status = 502
	case r < 24:
		status = 504
	}
	if path == "/wp-login.php" || path == "/favicon.ico" {
		status = 404
	}
	size := l.rng.IntN(40000) + 200
	if status == 304 {
		size = 0
	}
	ref := "-"
	if l.rng.IntN(3) == 0 {
		ref = "https://richs.example/items/"
	}
	return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"`,
		l.pick(clients), t.Format("02/Jan/2006:15:04:05 -0700"), method, path, status, size, ref, l.pick(agents))
}

// NginxError is one nginx error log line.
func (l *Lines) NginxError(t time.Time) string {
	msg := l.pick([]string{
		`upstream timed out (110: Connection timed out) while reading response header from upstream`,
		`connect() failed (111: Connection refused) while connecting to upstream`,
		`open() "/var/www/richs_public/images/B0OLD00001_1.jpg" failed (2: No such file or directory)`,
		`client intended to send too large body: 15728640 bytes`,
	})
	level := "error"
	if strings.HasPrefix(msg, "client intended") {
		level = "warn"
	}
	return fmt.Sprintf(`%s [%s] 1234#1234: *%d %s, client: %s, server: richs.example, request: "GET /items/export/ HTTP/1.1", upstream: "http://127.0.0.1:8000/items/export/", host: "richs.example"`,
		t.Format("2006/01/02 15:04:05"), level, l.rng.IntN(90000)+1000, msg, l.pick(clients))
}
