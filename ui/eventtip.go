package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// tipLines bounds the hover text: a summary is at most a few hundred characters.
const tipLines = 8

// hover follows the pointer; the tip shows while it rests on a cell whose text
// is cut. Fyne 2.7 has no tooltips of its own, and a pop-up would take the next
// click, so the list draws it over its rows.
func (l *EventList) hover(pos fyne.Position) {
	was, _ := l.tipText()
	l.tip = pos
	if now, _ := l.tipText(); now != was {
		l.Refresh()
	}
}

// tipText is the whole text of the cut cell under the pointer, or "", with the
// cell's row.
func (l *EventList) tipText() (string, int) {
	if l.tip.X < 0 || l.rowSize.Height <= 0 || l.tip.X > l.Size().Width-scrollbarWidth {
		return "", -1
	}
	row := int(l.tip.Y/l.rowSize.Height) - 1
	col := l.columnAt(l.tip.X)
	view := l.rows()
	if row < 0 || row >= l.visible || col < 0 || l.offset+row >= view.Len() {
		return "", -1
	}
	full := strings.Join(strings.Fields(cellTexts(view.Row(l.offset + row))[col]), " ")
	width := l.widths[col]
	if width == 0 {
		width = l.summaryChars()
	}
	if fit(full, width) == full {
		return "", -1
	}
	return full, row
}

// wrapCells cuts s into lines of at most n cells, at most max lines (the last
// cut with an ellipsis).
func wrapCells(s string, n, max int) []string {
	var lines []string
	for s != "" && len(lines) < max {
		if cellWidth(s) <= n {
			return append(lines, s)
		}
		line := fit(s, n+1) // n cells and the ellipsis' one
		line = strings.TrimSuffix(line, "…")
		if len(lines) == max-1 {
			return append(lines, fit(s, n))
		}
		if i := strings.LastIndexByte(line, ' '); i > len(line)/2 {
			line = line[:i+1] // at a word when one is near
		}
		if line == "" {
			break
		}
		lines = append(lines, strings.TrimRight(line, " "))
		s = s[len(line):]
	}
	return lines
}

func (r *eventListRenderer) refreshTip(th fyne.Theme, v fyne.ThemeVariant) {
	l := r.l
	text, row := l.tipText()
	lines := []string(nil)
	if text != "" {
		perLine := max(20, int(l.Size().Width*0.6/max(1, l.rowSize.Width)))
		lines = wrapCells(text, perLine, tipLines)
	}
	if len(lines) == 0 {
		r.tipBg.Hide()
		for _, t := range r.tipLines {
			t.Hide()
		}
		return
	}
	pad := theme.Padding()
	w := 0
	for _, s := range lines {
		w = max(w, cellWidth(s))
	}
	size := fyne.NewSize(float32(w)*l.rowSize.Width+2*pad, float32(len(lines))*l.rowSize.Height+pad)
	// Below the hovered row, or above it when it is near the bottom; inside the list.
	pos := fyne.NewPos(l.tip.X+12, float32(row+2)*l.rowSize.Height)
	if pos.Y+size.Height > l.Size().Height {
		pos.Y = float32(row+1)*l.rowSize.Height - size.Height
	}
	pos.X = max(0, min(pos.X, l.Size().Width-scrollbarWidth-size.Width))
	pos.Y = max(0, pos.Y)
	r.tipBg.FillColor = th.Color(theme.ColorNameOverlayBackground, v)
	r.tipBg.StrokeColor = th.Color(theme.ColorNameSeparator, v)
	r.tipBg.StrokeWidth = 1
	r.tipBg.Move(pos)
	r.tipBg.Resize(size)
	r.tipBg.Show()
	r.tipBg.Refresh()
	for i, t := range r.tipLines {
		if i >= len(lines) {
			t.Hide()
			continue
		}
		t.Text, t.TextSize, t.Color = lines[i], l.textSize, th.Color(theme.ColorNameForeground, v)
		t.Move(pos.AddXY(pad, pad/2+float32(i)*l.rowSize.Height))
		t.Show()
		t.Refresh()
	}
}
