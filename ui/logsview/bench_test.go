package logsview

import (
	"strconv"
	"testing"

	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ui/common"
)

// BenchmarkPaneIngest measures how many lines a pane takes in per second:
// the follower's batches go into the pane's queue, and once per frame the
// tab takes them, pushes them into the ring (and the filter) and renders.
// At 1M lines/s a 50 ms frame carries 50,000 lines; the queue keeps the
// newest buffer_lines of them, as the ring would.
func BenchmarkPaneIngest(b *testing.B) {
	for _, withFilter := range []bool{false, true} {
		name := "plain"
		if withFilter {
			name = "filter"
		}
		b.Run(name, func(b *testing.B) {
			st := common.DefaultStyles()
			k := newInks(st)
			t := func(en, ja string) string { return en }
			notify := make(chan struct{}, 1)
			p := newPane(1, source{Name: "bench", Kind: "django"}, 10000)
			p.queue = logtail.NewQueue(10000, notify)
			p.w, p.h = 80, 22
			if withFilter {
				p.setFilter(&filter{text: "error"})
			}
			batch := make([]logtail.Line, 1000) // one follower read
			for i := range batch {
				lvl := "INFO"
				if i%100 == 0 {
					lvl = "ERROR"
				}
				batch[i] = logtail.Line{Text: "2026-11-27 03:12:07,123 " + lvl + " inventory.check item " + strconv.Itoa(i) + " ok price=1980"}
			}
			const perFrame = 50 // 50,000 lines per 50 ms frame = 1M lines/s
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.queue.Emit(logtail.Batch{Lines: batch})
				if i%perFrame == perFrame-1 {
					got, _ := p.queue.Take()
					p.ingest(got)
					_ = p.render(k, st, t, true)
				}
			}
			b.ReportMetric(float64(b.N)*float64(len(batch))/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkPanesView renders four full panes side by side on a 160x48
// screen in colour: what each batch
// of new lines costs the console (goal 9c counts the CPU of quiet panes, one
// render per batch).
func BenchmarkPanesView(b *testing.B) {
	d := &common.Deps{Lang: "en", Styles: common.DefaultStyles()}
	m := panesModel(d, 160, 47, layoutColumns, 4, 2000, func(i int) string {
		return "inventory.check 商品" + strconv.Itoa(i) + " 「テスト商品」 price=1980 stock=3"
	})
	b.ResetTimer()
	for b.Loop() {
		_ = m.panesView()
	}
}
