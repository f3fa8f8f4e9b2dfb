package ui

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

var kinds = []string{"note", "stats", "annotation-notification", "tick", "data"}

// mixed builds n events of several profiles, kinds, subscriptions and keys, at
// times that do not follow their order.
func mixed(r *rand.Rand, n int) []session.Event {
	out := make([]session.Event, n)
	for i := range out {
		out[i] = session.Event{Time: time.Unix(1_700_000_000, 0).Add(time.Duration(r.IntN(1_000_000)) * time.Millisecond),
			Profile: fmt.Sprintf("p%d", r.IntN(3)), Dir: []string{"in", "in", "in", "out", "state"}[r.IntN(5)],
			Sub: fmt.Sprint(r.IntN(12)), Kind: kinds[r.IntN(len(kinds))], Summary: fmt.Sprintf("summary %05d", r.IntN(50_000)),
			Key: fmt.Sprintf("track-%d", r.IntN(40))}
		if r.IntN(4) == 0 {
			out[i].Key = ""
		}
	}
	return out
}

// shownList is a list over m in a test window of the given size.
func shownList(t *testing.T, m *Model, w, h float32) *EventList {
	l := NewEventList(m)
	win := test.NewWindow(l)
	t.Cleanup(win.Close)
	win.Resize(fyne.NewSize(w, h))
	return l
}

// mixedList is a shown list over a ring of capacity holding n mixed events, and
// the source of more.
func mixedList(t *testing.T, seed uint64, capacity, n int) (*Model, *EventList, *rand.Rand) {
	test.NewTempApp(t)
	r := rand.New(rand.NewPCG(seed, seed+1))
	m := NewModel(session.NewRing(capacity))
	appendEvents(m, mixed(r, n))
	return m, shownList(t, m, 1000, 500), r
}

// want is the model's rows sorted by col as the sorted view must show them.
func want(l *EventList, col int, desc bool) []uint64 {
	base := l.Model
	var keys []sortEntry
	for i := 0; i < base.Len(); i++ {
		keys = append(keys, keyOf(col, base.Seq(i), base.Row(i)))
	}
	slices.SortFunc(keys, orderBy(desc))
	out := make([]uint64, len(keys))
	for i, k := range keys {
		out[i] = k.seq
	}
	return out
}

func shownSeqs(l *EventList) []uint64 {
	out := make([]uint64, l.Len())
	for i := range out {
		out[i] = l.rows().Seq(i)
	}
	return out
}

// waitSorted ticks the list until its full sort is in.
func waitSorted(t *testing.T, l *EventList) {
	t.Helper()
	st.Until(t, "the full sort", func() bool { l.Tick(); return !l.Sorting() })
}

// Every column sorts both ways; new rows land in their sorted place, evicted and
// filtered rows leave, and the header shows the sort.
func TestSortedViewKeepsOrderLive(t *testing.T) {
	m, l, r := mixedList(t, 1, 3000, 2500)
	for col := range columns {
		for _, desc := range []bool{false, true} {
			l.SetSort(col, desc)
			waitSorted(t, l)
			if got := shownSeqs(l); !slices.Equal(got, want(l, col, desc)) {
				t.Fatalf("column %d desc %v: not in order", col, desc)
			}
		}
	}
	l.SetSort(colKind, false)
	waitSorted(t, l)
	// 1000 more: the ring (3000) evicts 500 of the first ones.
	evicted := appendEvents(m, mixed(r, 1000))
	l.Appended(evicted)
	if got := shownSeqs(l); !slices.Equal(got, want(l, colKind, false)) || len(got) != 3000 {
		t.Fatalf("after new rows: %d rows, in order %v", len(got), slices.Equal(got, want(l, colKind, false)))
	}
	// A trickle into the full ring: each row evicted is found by its key.
	for i := 0; i < 30; i++ {
		l.Appended(appendEvents(m, mixed(r, 1+i%5)))
		if got := shownSeqs(l); !slices.Equal(got, want(l, colKind, false)) || len(got) != 3000 {
			t.Fatalf("trickle %d: %d rows, in order %v", i, len(got), slices.Equal(got, want(l, colKind, false)))
		}
	}
	q, _ := query.Parse("kind:note")
	m.SetQuery(q)
	l.Reset()
	waitSorted(t, l)
	for i := 0; i < 10; i++ {
		l.Appended(appendEvents(m, mixed(r, 7)))
	}
	if got := shownSeqs(l); !slices.Equal(got, want(l, colKind, false)) || len(got) == 0 || len(got) == 3000 {
		w := want(l, colKind, false)
		for i := range got {
			if got[i] != w[i] {
				t.Logf("row %d: %d %+v, want %d %+v", i, got[i], l.Row(i), w[i], m.Row(m.IndexOf(w[i])))
				break
			}
		}
		t.Fatalf("after filtering: %d rows, want %d", len(got), len(w))
	}
	// The header marks the column and tapping it turns the sort around, then off.
	if h := l.headerText(colKind, "kind", 80); h != "kind ▲" {
		t.Fatalf("header %q", h)
	}
	x := l.columnX(colKind) + 2*l.rowSize.Width
	test.TapAt(l, fyne.NewPos(x, 2))
	if col, desc := l.Sort(); col != colKind || !desc {
		t.Fatalf("after a tap: sorted by %d desc %v", col, desc)
	}
	test.TapAt(l, fyne.NewPos(x, 2))
	if col, _ := l.Sort(); col != -1 || l.sorted != nil {
		t.Fatalf("after two taps: sorted by %d", col)
	}
	test.TapAt(l, fyne.NewPos(l.columnX(colTime)+l.rowSize.Width, 2))
	if col, desc := l.Sort(); col != colTime || desc {
		t.Fatalf("tap on time: %d %v", col, desc)
	}
}

// Rows that the model folds (a retry loop) leave the sorted view too.
func TestSortedViewDropsFoldedRows(t *testing.T) {
	test.NewTempApp(t)
	m := NewModel(session.NewRing(100))
	l := NewEventList(m)
	l.SetSort(colSummary, false)
	waitSorted(t, l)
	for i := 0; i < 5; i++ {
		appendEvents(m, []session.Event{ev("p", session.DirState, session.StateConnecting, "connecting"),
			ev("p", session.DirState, session.StateReconnecting, fmt.Sprintf("reconnecting in %dms", 100+i))})
		l.Appended(0)
	}
	if got := shownSeqs(l); !slices.Equal(got, want(l, colSummary, false)) || len(got) != m.Len() {
		t.Fatalf("sorted %v, model %d rows", got, m.Len())
	}
}

// While the user reads a sorted table, new rows landing above do not move what
// is on screen, and the selection stays on its event.
func TestSortedViewKeepsTheRowsInView(t *testing.T) {
	m, l, r := mixedList(t, 3, 10_000, 2000)
	l.SetSort(colSummary, false)
	waitSorted(t, l)
	l.ScrollToRow(1000)
	l.Select(1000)
	top, sel := l.rows().Seq(l.Offset()), l.rows().Seq(1000)
	l.Appended(appendEvents(m, mixed(r, 500)))
	if l.rows().Seq(l.Offset()) != top || l.rows().Seq(l.Selected()) != sel {
		t.Fatal("the view moved under the reader")
	}
}

// The latest-per-key view: one row per subject, with the count of its events
// held, in the order subjects first appeared; evictions count down and a subject
// with none left goes; the filter applies; selection stays on the subject.
func TestLatestViewOneRowPerSubject(t *testing.T) {
	test.NewTempApp(t)
	m := NewModel(session.NewRing(10))
	l := shownList(t, m, 1000, 500)
	at := time.Now().Add(-5 * time.Second)
	track := func(key, summary string) session.Event {
		e := ev("g", "in", "observation", summary)
		e.Key, e.Time = key, at
		return e
	}
	appendEvents(m, []session.Event{track("a", "a1"), track("b", "b1"), ev("g", "state", "open", "open"), track("a", "a2")})
	l.SetLatest(true)
	if l.Len() != 3 {
		t.Fatalf("%d rows, want 3", l.Len())
	}
	if e := l.Row(0); !strings.HasPrefix(e.Summary, "×2 · 5s · a2") || e.Key != "a" {
		t.Fatalf("row 0: %q", e.Summary)
	}
	l.Select(0)
	l.Appended(appendEvents(m, []session.Event{track("a", "a3"), track("c", "c1")}))
	if l.Len() != 4 || l.Selected() != 0 || !strings.Contains(l.Row(0).Summary, "×3 · 5s · a3") {
		t.Fatalf("after a3: %d rows, selected %d, row 0 %q", l.Len(), l.Selected(), l.Row(0).Summary)
	}
	// Eight more of c: the ring of 10 evicts a1, b1, the state and a2.
	var cs []session.Event
	for i := 0; i < 8; i++ {
		cs = append(cs, track("c", fmt.Sprintf("c%d", i+2)))
	}
	l.Appended(appendEvents(m, cs))
	if l.Len() != 2 || !strings.Contains(l.Row(0).Summary, "×1 · 5s · a3") || !strings.Contains(l.Row(1).Summary, "×9 · 5s · c9") {
		t.Fatalf("after evictions: %d rows: %q %q", l.Len(), l.Row(0).Summary, l.Row(1).Summary)
	}
	q, _ := query.Parse("c9")
	m.SetQuery(q)
	l.Reset()
	if l.Len() != 1 || !strings.HasPrefix(l.Row(0).Summary, "×1 ·") {
		t.Fatalf("filtered: %d rows", l.Len())
	}
	// Sorted by summary descending, over the latest view.
	m.SetQuery(query.Query{})
	l.Reset()
	l.SetSort(colSummary, true)
	waitSorted(t, l)
	if l.Len() != 2 || !strings.Contains(l.Row(0).Summary, "c9") {
		t.Fatalf("sorted latest: %d rows, first %q", l.Len(), l.Row(0).Summary)
	}
	l.Appended(appendEvents(m, []session.Event{track("a", "a9")}))
	if l.Len() != 2 || !strings.Contains(l.Row(1).Summary, "×1 · 5s · a9") || !strings.Contains(l.Row(0).Summary, "×9 · 5s · c9") {
		t.Fatalf("sorted latest after a9: %q %q", l.Row(0).Summary, l.Row(1).Summary)
	}
	l.SetLatest(false)
	if l.Len() != m.Len() {
		t.Fatalf("back to every row: %d of %d", l.Len(), m.Len())
	}
}

// Ctrl+C copies the selected row as text; the context menu copies it as text,
// raw JSON or summary, each through the app's clipboard.
func TestCopyRow(t *testing.T) {
	a := test.NewTempApp(t)
	m := NewModel(session.NewRing(10))
	e := ev("demo-misskey", "in", "note", "@alice: hello\nworld")
	e.Raw = []byte(`{"type":"channel","body":{"id":"x"}}`)
	appendEvents(m, []session.Event{e})
	l := shownList(t, m, 1000, 300)
	var copied []string
	l.OnCopied = func(what string) { copied = append(copied, what) }
	y := l.rowSize.Height * 1.5
	test.TapAt(l, fyne.NewPos(50, y))
	l.TypedShortcut(&fyne.ShortcutCopy{})
	wantRow := e.Time.Local().Format("2006-01-02 15:04:05.000") + "\tin\tdemo-misskey\t1\tnote\t@alice: hello world"
	if got := a.Clipboard().Content(); got != wantRow {
		t.Fatalf("Ctrl+C copied %q", got)
	}
	l.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(50, y), AbsolutePosition: fyne.NewPos(50, y)})
	c := fyne.CurrentApp().Driver().CanvasForObject(l)
	menu := c.Overlays().Top()
	if menu == nil {
		t.Fatal("no context menu")
	}
	c.Overlays().Remove(menu)
	for _, item := range l.copyMenu().Items {
		item.Action()
	}
	if got := a.Clipboard().Content(); got != "@alice: hello\nworld" {
		t.Fatalf("Copy summary copied %q", got)
	}
	if !slices.Equal(copied, []string{"row", "row", "raw JSON", "summary"}) {
		t.Fatalf("copied %v", copied)
	}
	l.copyMenu().Items[1].Action()
	if got := a.Clipboard().Content(); got != string(e.Raw) {
		t.Fatalf("Copy raw JSON copied %q", got)
	}
}

// The demo's tracks in the latest-per-key view: one row per vessel, updating
// live; choosing one shows it in the detail pane and centres the map on it.
func TestLatestPerKeyAgainstDemo(t *testing.T) {
	a := newTestApp(t, true)
	test.Tap(a.latest)
	if !a.list.Latest() {
		t.Fatal("the toggle did not turn the view on")
	}
	rowsOf := func() map[string]int {
		seen := map[string]int{}
		for i := 0; i < a.list.Len(); i++ {
			e := a.list.Row(i)
			seen[e.Profile+" "+e.Key+" "+e.Kind]++
		}
		return seen
	}
	track := -1
	stepUntil(t, a, "tracks with several observations each", func() bool {
		for i := 0; i < a.list.Len(); i++ {
			if e := a.list.Row(i); e.Geo != nil && e.Key != "" && !strings.HasPrefix(e.Summary, "×1 ") {
				track = i
				return true
			}
		}
		return false
	})
	for k, n := range rowsOf() {
		if n != 1 {
			t.Fatalf("%q has %d rows", k, n)
		}
	}
	if a.list.Len() >= a.model.Len() {
		t.Fatalf("%d rows for %d events", a.list.Len(), a.model.Len())
	}
	if !strings.Contains(a.status.Text, fmt.Sprintf("keys of %d", a.model.Len())) {
		t.Fatalf("status %q", a.status.Text)
	}
	a.list.Select(track)
	e := a.list.Row(track)
	if !strings.Contains(a.detail.header.Text, e.Profile) || !strings.Contains(a.detail.header.Text, e.Kind) {
		t.Fatalf("detail %q for %q", a.detail.header.Text, e.Summary)
	}
	c := a.mapPanel.Map.Scene.View.Center
	if d := (c[0]-e.Geo.Lon)*(c[0]-e.Geo.Lon) + (c[1]-e.Geo.Lat)*(c[1]-e.Geo.Lat); d > 1e-6 {
		t.Fatalf("map centred on %v, track at %v", c, e.Geo)
	}
	// Sorted by kind while live: still one row per subject, and in order.
	a.list.SetSort(colKind, false)
	stepUntil(t, a, "sorted", func() bool { return !a.list.Sorting() })
	n := a.model.Len()
	stepUntil(t, a, "more events", func() bool { return a.model.Len() > n+20 })
	var prev string
	for i := 0; i < a.list.Len(); i++ {
		if k := a.list.Row(i).Kind; k < prev {
			t.Fatalf("row %d kind %q after %q", i, k, prev)
		} else {
			prev = k
		}
	}
	for k, n := range rowsOf() {
		if n != 1 {
			t.Fatalf("sorted: %q has %d rows", k, n)
		}
	}
	if !strings.Contains(a.status.Text, "sorted by kind ascending") {
		t.Fatalf("status %q", a.status.Text)
	}
}

// Cut text ends in an ellipsis within its cells: wide characters count two,
// a character keeps its marks, an emoji sequence is not split.
func TestFitCutsWholeCharacters(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"annotation-notification", 23, "annotation-notification"},
		{"annotation-notification", 18, "annotation-notifi…"},
		{"日本語のテキスト", 7, "日本語…"},
		{"日本語", 6, "日本語"},
		{"e\u0301e\u0301e\u0301", 2, "e\u0301…"},
		{"ok 👍🏽 fine", 5, "ok …"},
		{"ok 👍🏽 fine", 6, "ok 👍🏽…"},
		{"a\u200db\u200dc long", 3, "…"},
		{"two\nlines", 20, "two lines"},
	} {
		if got := fit(c.s, c.n); got != c.want {
			t.Errorf("fit(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if got := fit(c.s, c.n); cellWidth(got) > c.n {
			t.Errorf("fit(%q, %d) = %q takes %d cells", c.s, c.n, got, cellWidth(got))
		}
	}
	if kindHue("note") != kindHue("note") || kindHue("note") == kindHue("stats") {
		t.Error("kind hues: not one per kind")
	}
}

// Resting the pointer on a cut cell shows its whole text over the rows; on a
// cell that fits, nothing.
func TestHoverShowsCutText(t *testing.T) {
	test.NewTempApp(t)
	m := NewModel(session.NewRing(10))
	long := "@alice: " + strings.Repeat("a long note that does not fit ", 6) + "END"
	appendEvents(m, []session.Event{ev("p", "in", "note", long), ev("p", "in", "note", "short")})
	l := shownList(t, m, 900, 300)
	r := test.WidgetRenderer(l).(*eventListRenderer)
	at := func(row, col int) *desktop.MouseEvent {
		return &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(l.columnX(col)+l.rowSize.Width, (float32(row)+1.5)*l.rowSize.Height)}}
	}
	l.MouseMoved(at(0, colSummary))
	if !r.tipBg.Visible() {
		t.Fatal("no tip over a cut summary")
	}
	var shown []string
	for _, line := range r.tipLines {
		if line.Visible() {
			shown = append(shown, line.Text)
		}
	}
	if got := strings.Join(shown, " "); got != long || len(shown) < 2 {
		t.Fatalf("tip %q in %d lines", got, len(shown))
	}
	l.MouseMoved(at(1, colSummary))
	if r.tipBg.Visible() {
		t.Fatal("a tip over a summary that fits")
	}
	l.MouseMoved(at(0, colSummary))
	l.MouseOut()
	if r.tipBg.Visible() {
		t.Fatal("the tip stayed after the pointer left")
	}
	if got := wrapCells("日本語のテキストです", 6, 8); !slices.Equal(got, []string{"日本語", "のテキ", "ストで", "す"}) {
		t.Fatalf("wrapped %q", got)
	}
}

// Export takes the rows shown: one per subject in the latest view, in the
// sorted order when sorted, without the count and age the view adds.
func TestShownIsWhatTheViewShows(t *testing.T) {
	m, l, _ := mixedList(t, 5, 1000, 600)
	if got := l.Shown(); len(got) != m.Len() {
		t.Fatalf("plain: %d of %d", len(got), m.Len())
	}
	l.SetLatest(true)
	l.SetSort(colKind, true)
	waitSorted(t, l)
	got := l.Shown()
	if len(got) != l.Len() || len(got) >= m.Len() {
		t.Fatalf("latest: %d events for %d rows", len(got), l.Len())
	}
	for i := range got {
		if i > 0 && got[i].Kind > got[i-1].Kind || strings.HasPrefix(got[i].Summary, "×") {
			t.Fatalf("row %d: %q %q", i, got[i].Kind, got[i].Summary)
		}
	}
}
