package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// rows is the view the list shows now.
func (l *EventList) rows() rowView {
	switch {
	case l.sorted != nil:
		return l.sorted
	case l.latest != nil:
		return l.latest
	}
	return l.Model
}

// base is the view a sort applies to, with how to read its changes.
func (l *EventList) base() (rowView, func() changes) {
	if l.latest != nil {
		return l.latest, l.latest.next
	}
	f := &modelFeed{m: l.Model}
	return l.Model, f.next
}

// syncViews brings the latest-per-key and sorted views up to the model, keeping
// the row at the top of the view (unless following) and the selection where they
// are: in those views a new row may land anywhere.
func (l *EventList) syncViews() {
	if l.latest == nil && l.sorted == nil {
		return
	}
	view := l.rows()
	anchor, anchored := uint64(0), false
	if !l.follow && l.offset < view.Len() {
		anchor, anchored = view.Seq(l.offset), true
	}
	if l.latest != nil {
		l.latest.sync()
	}
	if l.sorted != nil {
		l.sorted.sync()
	}
	if anchored {
		if i := view.IndexOf(anchor); i >= 0 {
			l.offset = i
		}
	}
	if l.hasSel {
		// A subject's row stands for its latest event: the selection follows it.
		if i := view.IndexOf(l.selSeq); i >= 0 {
			l.selSeq = view.Seq(i)
		}
	}
}

// Tick runs every drain cycle: a full sort that finished is shown, and the
// latest-per-key view's ages are redrawn once a second.
func (l *EventList) Tick() {
	pending := l.sorted != nil && l.sorted.Pending()
	if pending || l.latest != nil && time.Since(l.ticked) >= time.Second {
		l.ticked = time.Now()
		l.syncViews()
		if pending && !l.sorted.Pending() && l.OnViewChanged != nil {
			l.OnViewChanged()
		}
		l.clamp()
		l.Refresh()
	}
}

// SetSort sorts the rows by a column (colTime…colSummary), descending or not;
// col -1 shows them as they came. Sorting stops following and starts at the top
// (or at the selected row).
func (l *EventList) SetSort(col int, desc bool) {
	if col < 0 || col >= len(columns) {
		col = -1
	}
	l.sortCol, l.sortDesc = col, desc && col >= 0
	l.rebuildSort()
	if col >= 0 && l.follow {
		l.follow = false
		if l.OnFollowChanged != nil {
			l.OnFollowChanged(false)
		}
	}
	l.offset = 0
	if sel := l.Selected(); sel >= 0 {
		l.offset = sel - l.VisibleRows()/2
	}
	l.clamp()
	l.Refresh()
	if l.OnViewChanged != nil {
		l.OnViewChanged()
	}
}

func (l *EventList) rebuildSort() {
	l.sorted = nil
	if l.sortCol >= 0 {
		base, next := l.base()
		l.sorted = newSortedView(base, l.Model.ring, next, l.sortCol, l.sortDesc)
	}
}

// Sort returns the column the rows are sorted by (-1: none) and the direction.
func (l *EventList) Sort() (col int, desc bool) { return l.sortCol, l.sortDesc }

// Sorting reports whether a full sort is still running.
func (l *EventList) Sorting() bool { return l.sorted != nil && l.sorted.Pending() }

// SetLatest shows one row per subject (its latest event), or every row again.
func (l *EventList) SetLatest(on bool) {
	if on == (l.latest != nil) {
		return
	}
	l.latest = nil
	if on {
		l.latest = newLatestView(l.Model)
	}
	l.rebuildSort()
	l.Reset()
	if l.OnViewChanged != nil {
		l.OnViewChanged()
	}
}

// Latest reports whether the list shows one row per subject.
func (l *EventList) Latest() bool { return l.latest != nil }

// Len is how many rows the list shows.
func (l *EventList) Len() int { return l.rows().Len() }

// Row returns the i-th row shown.
func (l *EventList) Row(i int) *session.Event { return l.rows().Row(i) }

// Shown returns copies of the events shown, in the order shown (for export):
// in the latest-per-key view each subject's latest event.
func (l *EventList) Shown() []session.Event {
	if l.sorted == nil && l.latest == nil {
		return l.Model.Visible()
	}
	v := l.rows()
	out := make([]session.Event, 0, v.Len())
	for i := range v.Len() {
		if e, ok := l.Model.ring.Get(v.Seq(i)); ok {
			out = append(out, e)
		}
	}
	return out
}

// SelectSeq selects the row showing the event with sequence seq (in the latest
// view, its subject's row) and reports whether there is one.
func (l *EventList) SelectSeq(seq uint64) bool {
	i := l.rows().IndexOf(seq)
	if i < 0 {
		return false
	}
	l.SetFollowing(false)
	l.Select(i)
	return true
}

// columnX is where column i starts.
func (l *EventList) columnX(i int) float32 {
	x := theme.Padding()
	for _, n := range l.widths[:i] {
		x += float32(n+1) * l.rowSize.Width
	}
	return x
}

// columnAt is the column under x, or -1 past the last.
func (l *EventList) columnAt(x float32) int {
	edge := theme.Padding()
	for i, n := range l.widths {
		if n == 0 {
			return i
		}
		edge += float32(n+1) * l.rowSize.Width
		if x < edge {
			return i
		}
	}
	return -1
}

// headerTapped sorts by the column tapped: ascending, then descending, then as
// the rows came.
func (l *EventList) headerTapped(x float32) {
	if l.headerEdge(x) >= 0 {
		return // the start of a resize
	}
	col := l.columnAt(x)
	if col < 0 {
		return
	}
	switch {
	case col != l.sortCol:
		l.SetSort(col, false)
	case !l.sortDesc:
		l.SetSort(col, true)
	default:
		l.SetSort(-1, false)
	}
}

// sortNames name the columns in words, for the status bar ("sorted by kind").
var sortNames = [...]string{"time", "direction", "profile", "subscription", "kind", "summary"}

// SortText says how the rows are ordered, or "" when they are as they came.
func (l *EventList) SortText() string {
	if l.sortCol < 0 {
		return ""
	}
	dir := "ascending"
	if l.sortDesc {
		dir = "descending"
	}
	if l.Sorting() {
		return "sorting by " + sortNames[l.sortCol] + "…"
	}
	return "sorted by " + sortNames[l.sortCol] + " " + dir
}

// headerText is a column's title with the sort mark when the rows are sorted by
// it, cut to the column.
func (l *EventList) headerText(i int, title string, summaryChars int) string {
	width := l.widths[i]
	if width == 0 {
		width = summaryChars
	}
	if i != l.sortCol {
		return fit(title, width)
	}
	mark := "▲"
	if l.sortDesc {
		mark = "▼"
	}
	if l.Sorting() {
		mark = "…"
	}
	if title == "" || width < 3 {
		return mark
	}
	return fit(title, width-2) + " " + mark
}

var (
	_ fyne.Shortcutable      = (*EventList)(nil)
	_ fyne.SecondaryTappable = (*EventList)(nil)
)

// TypedShortcut copies the selected row as text on Ctrl+C. Fyne hands a focused
// Shortcutable every shortcut and the window's own none (driver/glfw's
// triggersShortcut): the others go on to the window, so Ctrl+F, Ctrl+L… still act.
func (l *EventList) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutCopy); ok {
		if e := l.selectedEvent(); e != nil {
			l.copy("row", rowText(e))
		}
		return
	}
	if c, ok := fyne.CurrentApp().Driver().CanvasForObject(l).(interface{ TypedShortcut(fyne.Shortcut) }); ok {
		c.TypedShortcut(s)
	}
}

func (l *EventList) selectedEvent() *session.Event {
	if i := l.Selected(); i >= 0 {
		return l.rows().Row(i)
	}
	return nil
}

// TappedSecondary selects the row under the pointer and offers to copy it.
func (l *EventList) TappedSecondary(ev *fyne.PointEvent) {
	row := int(ev.Position.Y/max(1, l.rowSize.Height)) - 1
	if row < 0 || l.offset+row >= l.rows().Len() {
		return
	}
	l.SetFollowing(false)
	l.Select(l.offset + row)
	c := fyne.CurrentApp().Driver().CanvasForObject(l)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(l.copyMenu(), c, ev.AbsolutePosition)
}

// copyMenu is the row's context menu.
func (l *EventList) copyMenu() *fyne.Menu {
	e := l.selectedEvent()
	if e == nil {
		return fyne.NewMenu("")
	}
	raw := fyne.NewMenuItem("Copy raw JSON", func() { l.copy("raw JSON", string(e.Raw)) })
	raw.Disabled = len(e.Raw) == 0
	return fyne.NewMenu("",
		fyne.NewMenuItem("Copy row as text", func() { l.copy("row", rowText(e)) }),
		raw,
		fyne.NewMenuItem("Copy summary", func() { l.copy("summary", e.Summary) }))
}

func (l *EventList) copy(what, text string) {
	fyne.CurrentApp().Clipboard().SetContent(text)
	if l.OnCopied != nil {
		l.OnCopied(what)
	}
}

// rowText is a row as one line of tab-separated fields, as a spreadsheet pastes it.
func rowText(e *session.Event) string {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	return strings.Join([]string{e.Time.Local().Format("2006-01-02 15:04:05.000"), e.Dir, e.Profile, e.Sub, clean(e.Kind), clean(e.Summary)}, "\t")
}
