package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pieceLabel is a one-line label, placed and sized as a widget.Label with the
// same text and style, that draws its text in pieces: each digit alone and the
// runs between digits whole. Fyne's GL painter keeps a texture for every
// distinct string it drew until a minute after its last use (fyne
// internal/cache/texture_common.go, ValidDuration), so a line whose counts
// change a few times a second, drawn whole, leaves a new line-wide texture each
// time (about 60 KB for the status bar at 1280 px, over 10 MB a minute in
// make bench-ui); in pieces it draws the ten digits' and the unchanged words'
// textures again.
type pieceLabel struct {
	widget.BaseWidget
	Text      string
	TextStyle fyne.TextStyle
}

func newPieceLabel(text string, style fyne.TextStyle) *pieceLabel {
	l := &pieceLabel{Text: text, TextStyle: style}
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows s.
func (l *pieceLabel) SetText(s string) {
	if s != l.Text {
		l.Text = s
		l.Refresh()
	}
}

// textPieces cuts s before and after every ASCII digit.
func textPieces(s string, into []string) []string {
	into = into[:0]
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			if start < i {
				into = append(into, s[start:i])
			}
			into = append(into, s[i:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		into = append(into, s[start:])
	}
	return into
}

// CreateRenderer is part of fyne.Widget.
func (l *pieceLabel) CreateRenderer() fyne.WidgetRenderer {
	r := &pieceLabelRenderer{l: l}
	r.Refresh()
	return r
}

type pieceLabelRenderer struct {
	l      *pieceLabel
	texts  []*canvas.Text // the first len(pieces) show the text
	objs   []fyne.CanvasObject
	pieces []string
	size   fyne.Size // of the whole text
}

func (r *pieceLabelRenderer) Layout(fyne.Size) { r.place() }

func (r *pieceLabelRenderer) place() {
	th := r.l.Theme()
	pad := th.Size(theme.SizeNameInnerPadding)
	x := pad
	for i := range r.pieces {
		r.texts[i].Move(fyne.NewPos(x, pad))
		x += r.texts[i].MinSize().Width
	}
}

func (r *pieceLabelRenderer) MinSize() fyne.Size {
	pad := r.l.Theme().Size(theme.SizeNameInnerPadding)
	return fyne.NewSize(r.size.Width+2*pad, r.size.Height+2*pad)
}

func (r *pieceLabelRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *pieceLabelRenderer) Destroy() {}

func (r *pieceLabelRenderer) Refresh() {
	th := r.l.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	size, fg := th.Size(theme.SizeNameText), th.Color(theme.ColorNameForeground, v)
	r.pieces = textPieces(r.l.Text, r.pieces)
	for len(r.texts) < len(r.pieces) {
		r.texts = append(r.texts, canvas.NewText("", fg))
	}
	r.objs = r.objs[:0]
	r.size = fyne.NewSize(0, fyne.MeasureText("0", size, r.l.TextStyle).Height)
	for i, t := range r.texts {
		if i >= len(r.pieces) {
			t.Text = "" // kept for the next longer text: draws nothing
			continue
		}
		t.Text, t.Color, t.TextSize, t.TextStyle = r.pieces[i], fg, size, r.l.TextStyle
		t.Refresh()
		r.objs = append(r.objs, t)
		m := t.MinSize()
		r.size.Width += m.Width
		r.size.Height = max(r.size.Height, m.Height)
	}
	r.place()
}
