package traffic

import "bytes"

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// clock turns log timestamps into Unix seconds. Consecutive lines of a log
// share their minute, so it remembers the last minute it computed and only
// reads the seconds when the rest of the text is the same.
type clock struct {
	kind   field
	prefix []byte // text up to the minute
	suffix []byte // text after the seconds (the zone)
	minute int64
}

// layout: where the seconds are in each textual format.
func secondsAt(kind field) (int, int) {
	switch kind {
	case fTimeLocal: // 27/Nov/2026:03:10:01 +0900
		return 18, 26
	case fTimeISO: // 2026-11-27T03:10:01+09:00
		return 17, 25
	}
	return -1, -1
}

// unix returns the time of text in Unix seconds, false when unreadable.
func (c *clock) unix(kind field, text []byte) (int64, bool) {
	if kind == fMsec {
		if len(text) == 0 || !digit(text[0]) {
			return 0, false
		}
		return parseInt(text), true
	}
	at, n := secondsAt(kind)
	if at < 0 || len(text) != n || !digit(text[at]) || !digit(text[at+1]) {
		return 0, false
	}
	sec := int64(text[at]-'0')*10 + int64(text[at+1]-'0')
	if c.kind == kind && c.prefix != nil && bytes.Equal(text[:at], c.prefix) && bytes.Equal(text[at+2:], c.suffix) {
		return c.minute + sec, true
	}
	var m int64
	var ok bool
	if kind == fTimeLocal {
		m, ok = minuteLocal(text)
	} else {
		m, ok = minuteISO(text)
	}
	if !ok {
		return 0, false
	}
	c.kind, c.minute = kind, m
	c.prefix = append(c.prefix[:0], text[:at]...)
	c.suffix = append(c.suffix[:0], text[at+2:]...)
	return m + sec, true
}

func num(b []byte) (int64, bool) {
	var n int64
	for _, ch := range b {
		if !digit(ch) {
			return 0, false
		}
		n = n*10 + int64(ch-'0')
	}
	return n, true
}

// minuteLocal reads 27/Nov/2026:03:10:01 +0900 up to the minute, in UTC seconds.
func minuteLocal(t []byte) (int64, bool) {
	if t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' || t[20] != ' ' {
		return 0, false
	}
	day, ok1 := num(t[0:2])
	year, ok2 := num(t[7:11])
	hour, ok3 := num(t[12:14])
	min, ok4 := num(t[15:17])
	month := 0
	for i, m := range months {
		if string(t[3:6]) == m {
			month = i + 1
		}
	}
	off, ok5 := zone(t[21:26])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || month == 0 {
		return 0, false
	}
	return daysFromCivil(year, int64(month), day)*86400 + hour*3600 + min*60 - off, true
}

// minuteISO reads 2026-11-27T03:10:01+09:00 up to the minute.
func minuteISO(t []byte) (int64, bool) {
	if t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[22] != ':' {
		return 0, false
	}
	year, ok1 := num(t[0:4])
	month, ok2 := num(t[5:7])
	day, ok3 := num(t[8:10])
	hour, ok4 := num(t[11:13])
	min, ok5 := num(t[14:16])
	zh, ok6 := num(t[20:22])
	zm, ok7 := num(t[23:25])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || month < 1 || month > 12 {
		return 0, false
	}
	off := zh*3600 + zm*60
	switch t[19] {
	case '-':
		off = -off
	case '+':
	default:
		return 0, false
	}
	return daysFromCivil(year, month, day)*86400 + hour*3600 + min*60 - off, true
}

// zone reads +0900 as seconds east of UTC.
func zone(z []byte) (int64, bool) {
	h, ok1 := num(z[1:3])
	m, ok2 := num(z[3:5])
	if !ok1 || !ok2 {
		return 0, false
	}
	off := h*3600 + m*60
	switch z[0] {
	case '-':
		return -off, true
	case '+':
		return off, true
	}
	return 0, false
}

// daysFromCivil is days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm): no time.Date call per new minute.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
