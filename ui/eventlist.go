package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/watch"
)

// Column widths of the event list, in characters of the monospace font; the
// summary takes what is left. Kind fits the longest kind the dialects name
// ("annotation-notification"), profile the demo's names.
var columns = []struct {
	title string
	chars int
}{{"time", 12}, {"", 1}, {"profile", 15}, {"sub", 3}, {"kind", 23}, {"summary", 0}}

const scrollbarWidth = 10

// EventList is a virtual list over a Model. It keeps its position as an integer row
// offset, so it is exact at any length (widget.Table's float offsets drift at
// 100 000 rows), and it draws only the rows on screen.
type EventList struct {
	widget.BaseWidget

	Model *Model
	// OnSelected is called with the selected event, or nil when the selection goes.
	OnSelected func(e *session.Event)
	// OnFollowChanged is called when following the newest row turns on or off.
	OnFollowChanged func(following bool)
	// OnSpace is called when Space is typed while the list has focus.
	OnSpace func()
	// OnEscape is called on Escape (the app widens the scope to every profile).
	OnEscape func()
	// OnColumnsChanged is called with the columns' widths (characters) after the
	// user dragged a header boundary, so that they can be remembered.
	OnColumnsChanged func(widths []int)
	// OnViewChanged is called when the sort or the latest-per-key view changes.
	OnViewChanged func()
	// OnCopied is called with what a copy put on the clipboard ("row", "raw JSON"…).
	OnCopied func(what string)

	offset   int // first visible row
	follow   bool
	selSeq   uint64
	hasSel   bool
	tip      fyne.Position // the pointer, while over the rows; X < 0: elsewhere
	dragBar  bool
	dragCol  int // the column whose right edge a header drag moves, or -1
	dragAcc  float32
	widths   []int // characters per column; the summary's 0 takes the rest
	visible  int
	focused  bool
	rowSize  fyne.Size // of one character cell and one row
	textSize float32

	latest   *latestView // one row per subject, when on
	sorted   *sortedView // the rows sorted by a column, when on
	sortCol  int         // -1: as they came
	sortDesc bool
	ticked   time.Time // when the latest view's ages were last redrawn
}

// NewEventList shows m, following its newest row.
func NewEventList(m *Model) *EventList {
	l := &EventList{Model: m, follow: true, dragCol: -1, sortCol: -1, tip: fyne.NewPos(-1, -1)}
	for _, c := range columns {
		l.widths = append(l.widths, c.chars)
	}
	l.ExtendBaseWidget(l)
	return l
}

// Widths returns the columns' widths in characters.
func (l *EventList) Widths() []int { return append([]int(nil), l.widths...) }

// SetWidths restores remembered widths; a list of the wrong length or with a
// width out of range is ignored.
func (l *EventList) SetWidths(w []int) {
	if len(w) != len(columns) {
		return
	}
	for i, n := range w {
		if columns[i].chars == 0 && n != 0 || columns[i].chars != 0 && (n < 1 || n > 200) {
			return
		}
	}
	l.widths = append(l.widths[:0], w...)
	l.Refresh()
}

// headerEdge is the column whose right edge is within a few pixels of x, or -1.
func (l *EventList) headerEdge(x float32) int {
	edge := theme.Padding()
	for i, n := range l.widths {
		if n == 0 {
			break
		}
		edge += float32(n+1) * l.rowSize.Width
		if d := x - (edge - l.rowSize.Width/2); d > -6 && d < 6 {
			return i
		}
	}
	return -1
}

// Following reports whether the list keeps the newest row in view.
func (l *EventList) Following() bool { return l.follow }

// SetFollowing turns following the newest row on or off.
func (l *EventList) SetFollowing(on bool) {
	if l.follow != on {
		l.follow = on
		if l.OnFollowChanged != nil {
			l.OnFollowChanged(on)
		}
	}
	l.clamp()
	l.Refresh()
}

// Offset is the first visible row.
func (l *EventList) Offset() int { return l.offset }

// VisibleRows is how many rows fit.
func (l *EventList) VisibleRows() int { return max(1, l.visible) }

// Appended tells the list that rows were added and evicted rows dropped from the
// front, so it can keep its place or follow the newest.
func (l *EventList) Appended(evicted int) {
	if l.sorted == nil && l.latest == nil {
		if !l.follow {
			l.offset = max(0, l.offset-evicted)
		}
	} else {
		l.syncViews()
	}
	l.clamp()
	l.Refresh()
}

// Reset is called after the model was refiltered or cleared: the selection stays
// selected if it is still shown.
func (l *EventList) Reset() {
	l.syncViews()
	if l.hasSel && l.rows().IndexOf(l.selSeq) < 0 {
		l.hasSel = false
		if l.OnSelected != nil {
			l.OnSelected(nil)
		}
	}
	l.clamp()
	l.Refresh()
}

// ScrollToRow puts row i in the middle of the view and stops following.
func (l *EventList) ScrollToRow(i int) {
	if l.follow {
		l.SetFollowing(false)
	}
	l.offset = i - l.VisibleRows()/2
	l.clamp()
	l.Refresh()
}

// Select selects row i and shows it.
func (l *EventList) Select(i int) {
	if i < 0 || i >= l.rows().Len() {
		return
	}
	l.selSeq, l.hasSel = l.rows().Seq(i), true
	if i < l.offset || i >= l.offset+l.VisibleRows() {
		l.ScrollToRow(i)
	}
	l.Refresh()
	if l.OnSelected != nil {
		l.OnSelected(l.rows().Row(i))
	}
}

// Selected returns the selected row, or -1.
func (l *EventList) Selected() int {
	if !l.hasSel {
		return -1
	}
	return l.rows().IndexOf(l.selSeq)
}

func (l *EventList) maxOffset() int { return max(0, l.rows().Len()-l.VisibleRows()) }

func (l *EventList) clamp() {
	if l.follow {
		l.offset = l.maxOffset()
		return
	}
	l.offset = min(max(0, l.offset), l.maxOffset())
}

// Scrolled moves by whole rows; scrolling up stops following, reaching the bottom
// starts it again.
func (l *EventList) Scrolled(ev *fyne.ScrollEvent) {
	rows := int(-ev.Scrolled.DY / max(1, l.rowSize.Height))
	if rows == 0 && ev.Scrolled.DY != 0 {
		rows = 1
		if ev.Scrolled.DY > 0 {
			rows = -1
		}
	}
	l.scrollBy(rows)
}

func (l *EventList) scrollBy(rows int) {
	if rows < 0 && l.follow {
		l.follow = false
		if l.OnFollowChanged != nil {
			l.OnFollowChanged(false)
		}
	}
	l.offset += rows
	l.clamp()
	if rows > 0 && !l.follow && l.offset == l.maxOffset() {
		l.SetFollowing(true)
	}
	l.Refresh()
}

// Tapped selects the row under the pointer.
func (l *EventList) Tapped(ev *fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(l); c != nil {
		c.Focus(l)
	}
	if ev.Position.X > l.Size().Width-scrollbarWidth {
		return
	}
	row := int(ev.Position.Y/max(1, l.rowSize.Height)) - 1 // the first line is the header
	if row == -1 && ev.Position.Y >= 0 {
		l.headerTapped(ev.Position.X)
		return
	}
	if row < 0 || l.offset+row >= l.rows().Len() {
		return
	}
	// Picking a row means reading it: stop following so it stays put.
	l.SetFollowing(false)
	l.Select(l.offset + row)
}

// Dragged on the scrollbar jumps through the whole list.
func (l *EventList) Dragged(ev *fyne.DragEvent) {
	start := ev.Position.Subtract(fyne.NewPos(ev.Dragged.DX, ev.Dragged.DY))
	if l.dragCol < 0 && !l.dragBar && start.Y < l.rowSize.Height {
		l.dragCol = l.headerEdge(start.X) // a drag on the header moves a column's edge
	}
	if l.dragCol >= 0 {
		l.dragAcc += ev.Dragged.DX
		if step := int(l.dragAcc / max(1, l.rowSize.Width)); step != 0 {
			l.widths[l.dragCol] = min(max(l.widths[l.dragCol]+step, 1), 200)
			l.dragAcc -= float32(step) * l.rowSize.Width
			l.Refresh()
		}
		return
	}
	if !l.dragBar && ev.Position.X-ev.Dragged.DX < l.Size().Width-scrollbarWidth*2 {
		return
	}
	l.dragBar = true
	frac := (ev.Position.Y - l.rowSize.Height) / max(1, l.Size().Height-l.rowSize.Height)
	frac = min(max(frac, 0), 1)
	target := int(frac * float32(l.maxOffset()))
	l.scrollBy(target - l.offset)
}

// DragEnd ends a scrollbar drag.
func (l *EventList) DragEnd() {
	if l.dragCol >= 0 && l.OnColumnsChanged != nil {
		l.OnColumnsChanged(l.Widths())
	}
	l.dragBar, l.dragCol, l.dragAcc = false, -1, 0
}

// FocusGained is part of fyne.Focusable.
func (l *EventList) FocusGained() { l.focused = true; l.Refresh() }

// FocusLost is part of fyne.Focusable.
func (l *EventList) FocusLost() { l.focused = false; l.Refresh() }

// TypedRune is part of fyne.Focusable.
func (l *EventList) TypedRune(rune) {}

// TypedKey moves the selection with the arrow, page, Home and End keys.
func (l *EventList) TypedKey(ev *fyne.KeyEvent) {
	sel := l.Selected()
	page := l.VisibleRows() - 1
	switch ev.Name {
	case fyne.KeyUp:
		l.Select(max(0, sel-1))
	case fyne.KeyDown:
		l.Select(min(l.rows().Len()-1, sel+1))
	case fyne.KeyPageUp:
		l.scrollBy(-page)
	case fyne.KeyPageDown:
		l.scrollBy(page)
	case fyne.KeyHome:
		l.scrollBy(-l.offset)
	case fyne.KeyEnd:
		l.SetFollowing(true)
	case fyne.KeySpace:
		if l.OnSpace != nil {
			l.OnSpace()
		}
	case fyne.KeyEscape:
		if l.OnEscape != nil {
			l.OnEscape()
		}
	}
}

var _ desktop.Hoverable = (*EventList)(nil)

// MouseIn is part of desktop.Hoverable.
func (l *EventList) MouseIn(ev *desktop.MouseEvent) { l.hover(ev.Position) }

// MouseMoved shows the whole of a cut cell's text beside the pointer.
func (l *EventList) MouseMoved(ev *desktop.MouseEvent) { l.hover(ev.Position) }

// MouseOut is part of desktop.Hoverable.
func (l *EventList) MouseOut() { l.hover(fyne.NewPos(-1, -1)) }

// CreateRenderer is part of fyne.Widget.
func (l *EventList) CreateRenderer() fyne.WidgetRenderer {
	r := &eventListRenderer{l: l, bg: canvas.NewRectangle(color.Transparent),
		bar: canvas.NewRectangle(color.Transparent), thumb: canvas.NewRectangle(color.Transparent)}
	r.header = r.newRow()
	r.tipBg = canvas.NewRectangle(color.Transparent)
	for range tipLines {
		t := canvas.NewText("", color.Black)
		t.TextStyle = fyne.TextStyle{Monospace: true}
		r.tipLines = append(r.tipLines, t)
	}
	return r
}

type eventListRenderer struct {
	l      *EventList
	bg     *canvas.Rectangle
	header *listRow
	rows   []*listRow
	bar    *canvas.Rectangle
	thumb  *canvas.Rectangle

	tipBg    *canvas.Rectangle // the hovered cut cell's whole text, over the rows
	tipLines []*canvas.Text
}

type listRow struct {
	bg    *canvas.Rectangle
	cells []*canvas.Text
	// ms are the time's milliseconds, a digit each, after cells[0]'s
	// "15:04:05.": Fyne's GL painter keeps a texture for every distinct string
	// it drew until a minute after its last use (fyne
	// internal/cache/texture_common.go), and while following, the time column
	// shows new times at every update, each a string of its own. Drawn whole,
	// they held about 900 textures, some 10 MB of Mesa's memory, under make
	// bench-ui; cut this way the column makes one new texture a second.
	ms [3]*canvas.Text
}

func (r *eventListRenderer) newRow() *listRow {
	row := &listRow{bg: canvas.NewRectangle(color.Transparent)}
	for range columns {
		row.cells = append(row.cells, monoText())
	}
	for i := range row.ms {
		row.ms[i] = monoText()
	}
	return row
}

func monoText() *canvas.Text {
	t := canvas.NewText("", color.Black)
	t.TextStyle = fyne.TextStyle{Monospace: true}
	return t
}

// timeSplit is where a time column's text is cut: "15:04:05." and its three
// digits of milliseconds; ms is empty for any other text (a column cut narrower).
func timeSplit(s string) (head string, ms string) {
	if len(s) == len(timeLayout) && s[8] == '.' {
		return s[:9], s[9:]
	}
	return s, ""
}

const timeLayout = "15:04:05.000"

func (r *eventListRenderer) measure() {
	l := r.l
	l.textSize = l.Theme().Size(theme.SizeNameText)
	cell := fyne.MeasureText("M", l.textSize, fyne.TextStyle{Monospace: true})
	l.rowSize = fyne.NewSize(cell.Width, cell.Height+theme.Padding())
}

func (r *eventListRenderer) Layout(size fyne.Size) {
	r.measure()
	l := r.l
	r.bg.Resize(size)
	l.visible = int((size.Height - l.rowSize.Height) / l.rowSize.Height)
	for len(r.rows) < l.visible+1 {
		r.rows = append(r.rows, r.newRow())
	}
	r.place(r.header, 0, size.Width)
	for i, row := range r.rows {
		r.place(row, float32(i+1)*l.rowSize.Height, size.Width)
	}
	r.bar.Move(fyne.NewPos(size.Width-scrollbarWidth, l.rowSize.Height))
	r.bar.Resize(fyne.NewSize(scrollbarWidth, size.Height-l.rowSize.Height))
	l.clamp()
	r.Refresh()
}

func (r *eventListRenderer) place(row *listRow, y, width float32) {
	l := r.l
	row.bg.Move(fyne.NewPos(0, y))
	row.bg.Resize(fyne.NewSize(width-scrollbarWidth, l.rowSize.Height))
	x := theme.Padding()
	for i := range columns {
		row.cells[i].Move(fyne.NewPos(x, y+theme.Padding()/2))
		if i == 0 {
			for k, t := range row.ms {
				t.Move(fyne.NewPos(x+float32(9+k)*l.rowSize.Width, y+theme.Padding()/2))
			}
		}
		x += float32(l.widths[i]+1) * l.rowSize.Width
	}
}

func (r *eventListRenderer) MinSize() fyne.Size {
	r.measure()
	return fyne.NewSize(r.l.rowSize.Width*70, r.l.rowSize.Height*4)
}

func (r *eventListRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg}
	for _, row := range append([]*listRow{r.header}, r.rows...) {
		objs = append(objs, row.bg)
		for _, c := range row.cells {
			objs = append(objs, c)
		}
		for _, c := range row.ms {
			objs = append(objs, c)
		}
	}
	objs = append(objs, r.bar, r.thumb, r.tipBg)
	for _, t := range r.tipLines {
		objs = append(objs, t)
	}
	return objs
}

func (r *eventListRenderer) Destroy() {}

func (r *eventListRenderer) Refresh() {
	l := r.l
	// The columns may have been resized since the last layout.
	r.place(r.header, 0, l.Size().Width)
	for i, row := range r.rows {
		r.place(row, float32(i+1)*l.rowSize.Height, l.Size().Width)
	}
	th := l.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNameForeground, v)
	summaryChars := l.summaryChars()
	for i, c := range columns {
		r.header.cells[i].Text = l.headerText(i, c.title, summaryChars)
		r.header.cells[i].Color = th.Color(theme.ColorNamePlaceHolder, v)
		r.header.cells[i].TextSize = l.textSize
		r.header.cells[i].Refresh()
	}
	r.header.bg.FillColor = th.Color(theme.ColorNameHeaderBackground, v)
	r.header.bg.Refresh()
	sel := l.Selected()
	view := l.rows()
	for i, row := range r.rows {
		idx := l.offset + i
		if i >= l.visible || idx >= view.Len() {
			for _, c := range row.cells {
				c.Text = ""
				c.Refresh()
			}
			for _, c := range row.ms {
				c.Text = ""
				c.Refresh()
			}
			row.bg.FillColor = color.Transparent
			row.bg.Refresh()
			continue
		}
		e := view.Row(idx)
		col := kindColor(th, v, e)
		texts := cellTexts(e)
		for j, c := range row.cells {
			width := l.widths[j]
			if width == 0 {
				width = summaryChars
			}
			c.Text = fit(texts[j], width)
			if j == 0 {
				r.setMillis(row, c, fg)
			}
			c.Color = col
			if j == 0 || j == 2 || j == 3 {
				c.Color = fg
			}
			if j == colKind && e.Dir == session.DirIn {
				c.Color = kindHue(e.Kind)
			}
			c.TextSize = l.textSize
			c.Refresh()
		}
		switch {
		case idx == sel:
			row.bg.FillColor = th.Color(theme.ColorNameSelection, v)
		case idx%2 == 1:
			row.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
		default:
			row.bg.FillColor = color.Transparent
		}
		row.bg.Refresh()
	}
	r.bar.FillColor = th.Color(theme.ColorNameScrollBarBackground, v)
	r.bar.Refresh()
	total := view.Len()
	barH := r.bar.Size().Height
	if total > l.VisibleRows() && barH > 0 {
		thumbH := max(20, barH*float32(l.VisibleRows())/float32(total))
		y := (barH - thumbH) * float32(l.offset) / float32(max(1, l.maxOffset()))
		r.thumb.Move(fyne.NewPos(r.bar.Position().X+2, r.bar.Position().Y+y))
		r.thumb.Resize(fyne.NewSize(scrollbarWidth-4, thumbH))
		r.thumb.FillColor = th.Color(theme.ColorNameScrollBar, v)
	} else {
		r.thumb.FillColor = color.Transparent
	}
	r.thumb.Refresh()
	r.bg.FillColor = th.Color(theme.ColorNameBackground, v)
	r.bg.Refresh()
	r.refreshTip(th, v)
}

// setMillis moves the milliseconds of the time in cell (a row's first) to the
// row's digits, in colour col.
func (r *eventListRenderer) setMillis(row *listRow, cell *canvas.Text, col color.Color) {
	head, ms := timeSplit(cell.Text)
	cell.Text = head
	for k, t := range row.ms {
		t.Text = ""
		if k < len(ms) {
			t.Text = ms[k : k+1]
		}
		t.Color, t.TextSize = col, r.l.textSize
		t.Refresh()
	}
}

// cellTexts are a row's cells before they are cut to their columns.
func cellTexts(e *session.Event) [6]string {
	return [...]string{e.Time.Local().Format(timeLayout), dirGlyph(e.Dir), e.Profile, e.Sub, e.Kind, e.Summary}
}

// summaryChars is the summary column's width: what the others leave.
func (l *EventList) summaryChars() int {
	n := int((l.Size().Width-scrollbarWidth)/max(1, l.rowSize.Width)) - 1
	for _, w := range l.widths {
		n -= w + 1
	}
	return max(n, 8)
}

func dirGlyph(dir string) string {
	switch dir {
	case session.DirIn:
		return "↓"
	case session.DirOut:
		return "↑"
	case watch.DirAlert:
		return "⚑"
	}
	return "●"
}

// kindColor colours a row by what it is: state changes, errors, frames we sent.
func kindColor(th fyne.Theme, v fyne.ThemeVariant, e *session.Event) color.Color {
	switch {
	case e.Dir == watch.DirAlert:
		return th.Color(theme.ColorNameWarning, v)
	case e.Dir == session.DirState && e.Kind == session.StateClosed && e.Summary == session.DetailClosedByUser:
		return th.Color(theme.ColorNamePlaceHolder, v) // asked for: no error
	case e.Kind == "error" || e.Dir == session.DirState && e.Kind == session.StateClosed:
		return th.Color(theme.ColorNameError, v)
	case e.Dir == session.DirState && e.Kind == session.StateReconnecting:
		return th.Color(theme.ColorNameWarning, v)
	case e.Dir == session.DirState:
		return th.Color(theme.ColorNamePrimary, v)
	case e.Dir == session.DirOut:
		return th.Color(theme.ColorNamePlaceHolder, v)
	}
	return th.Color(theme.ColorNameForeground, v)
}

// kindHues tell kinds of incoming events apart (note, stats, data…) in the
// kind column: one hue per kind, the same at every start, readable on either
// variant's background.
var kindHues = [2][6]color.NRGBA{
	{{0x1f, 0x5f, 0xbf, 0xff}, {0x1b, 0x7f, 0x3a, 0xff}, {0x8a, 0x3f, 0xb0, 0xff}, {0x00, 0x7c, 0x80, 0xff}, {0xa8, 0x50, 0x00, 0xff}, {0xb0, 0x2d, 0x6a, 0xff}},
	{{0x7a, 0xb4, 0xff, 0xff}, {0x7d, 0xd8, 0x8e, 0xff}, {0xc9, 0x9b, 0xff, 0xff}, {0x5f, 0xd7, 0xd7, 0xff}, {0xff, 0xb8, 0x6b, 0xff}, {0xff, 0x8f, 0xc4, 0xff}},
}

func kindHue(kind string) color.Color {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(kind); i++ {
		h = (h ^ uint32(kind[i])) * 16777619
	}
	dark := 0
	if isDark() {
		dark = 1
	}
	return kindHues[dark][h%uint32(len(kindHues[0]))]
}

// fit cuts s to n cells of the monospace font on one line, with an ellipsis:
// East Asian wide characters and most emoji take two cells, combining marks and
// joiners none, and a cut never splits a character from its marks.
func fit(s string, n int) string {
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	if utf8.RuneCountInString(s) <= n && !anyWide(s) {
		return s
	}
	if cellWidth(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	used, cut := 0, 0
	for i, r := range s {
		w := runeCells(r)
		if w > 0 && used+w > n-1 {
			break
		}
		used += w
		cut = i + utf8.RuneLen(r)
	}
	// Marks and joiners after the cut belong to the character before it: drop
	// that character with them rather than show it bare, or half a sequence.
	for cut > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:cut])
		next, _ := utf8.DecodeRuneInString(s[cut:])
		if runeCells(next) != 0 && r != 0x200d {
			break
		}
		cut -= size
	}
	return s[:cut] + "…"
}

func anyWide(s string) bool {
	for _, r := range s {
		if r >= 0x1100 && runeCells(r) != 1 {
			return true
		}
	}
	return false
}

func cellWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeCells(r)
	}
	return n
}

// runeCells is how many monospace cells r takes: 0 for combining marks,
// variation selectors and zero-width joiners, 2 for wide East Asian characters
// and emoji (Unicode's East Asian Width, UAX #11, in its main ranges).
func runeCells(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case r <= 0x36f, r >= 0x1ab0 && r <= 0x1aff, r >= 0x1dc0 && r <= 0x1dff, r >= 0x20d0 && r <= 0x20ff,
		r == 0x200b, r == 0x200c, r == 0x200d, r >= 0xfe00 && r <= 0xfe0f, r >= 0xfe20 && r <= 0xfe2f,
		r >= 0x1f3fb && r <= 0x1f3ff, r >= 0xe0000 && r <= 0xe01ef:
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0x303e, r >= 0x3041 && r <= 0x33ff,
		r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xa000 && r <= 0xa4cf,
		r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f,
		r >= 0x1f900 && r <= 0x1f9ff, r >= 0x1f680 && r <= 0x1f6ff, r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// The table's sort (column, -1 for none, and direction) and its latest-per-key
// view are remembered like its column widths.
const (
	prefSortColumn = "tableSortColumn"
	prefSortDesc   = "tableSortDescending"
	prefLatest     = "tableLatestPerKey"
)

// restoreView shows the list as it was when the app last quit.
func restoreView(l *EventList, prefs fyne.Preferences) {
	l.SetLatest(prefs.Bool(prefLatest))
	if col := prefs.IntWithFallback(prefSortColumn, -1); col >= 0 {
		l.SetSort(col, prefs.Bool(prefSortDesc))
	}
}

// saveView remembers the list's sort and latest-per-key view.
func saveView(l *EventList, prefs fyne.Preferences) {
	col, desc := l.Sort()
	prefs.SetInt(prefSortColumn, col)
	prefs.SetBool(prefSortDesc, desc)
	prefs.SetBool(prefLatest, l.Latest())
}

// prefColumns remembers the event table's column widths, in characters.
const prefColumns = "tableColumns"

func formatWidths(w []int) string {
	parts := make([]string, len(w))
	for i, n := range w {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// parseWidths reads formatWidths; anything else gives nil (the defaults).
func parseWidths(s string) []int {
	if s == "" {
		return nil
	}
	var w []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil
		}
		w = append(w, n)
	}
	return w
}
