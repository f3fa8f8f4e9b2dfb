package ui

import (
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne 2.7 has no tooltips. A cut-off label shows its whole text in a tip after
// the pointer rests on it. The tip is drawn in a layer above the window's
// content rather than in a pop-up: a pop-up is an overlay, and the driver sends
// pointer events to the top overlay only (internal/driver/util.go,
// FindObjectAtPositionMatching), so the label would lose the hover the moment
// its tip appeared, and the next click or wheel turn would go to the pop-up.
// The layer holds only canvas objects, which match no event interface, so every
// event still reaches what is under it.

// tipDelay is how long the pointer rests on a label before its tip shows.
const tipDelay = 450 * time.Millisecond

// tipAfter runs f on the UI goroutine after d (a test runs it when it likes).
var tipAfter = func(d time.Duration, f func()) { time.AfterFunc(d, func() { fyne.Do(f) }) }

// tipMaxWidth bounds a tip's width; longer text wraps.
const tipMaxWidth = 560

// tipLayer draws the one tip of a window.
type tipLayer struct {
	overlay *fyne.Container // no layout: the tip is placed by hand
	box     *fyne.Container
	bg      *canvas.Rectangle
	lines   *fyne.Container
	owner   fyne.CanvasObject // what the shown tip belongs to
}

var tipLayers = struct {
	sync.Mutex
	of map[fyne.Canvas]*tipLayer
}{of: map[fyne.Canvas]*tipLayer{}}

// withTips puts content under a tip layer for c, the canvas it is shown on.
func withTips(c fyne.Canvas, content fyne.CanvasObject) fyne.CanvasObject {
	l := &tipLayer{bg: canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)), lines: container.NewVBox()}
	l.bg.StrokeWidth = 1
	l.bg.CornerRadius = theme.InputRadiusSize()
	l.box = container.NewStack(l.bg, container.NewPadded(l.lines))
	l.box.Hide()
	l.overlay = container.NewWithoutLayout(l.box)
	tipLayers.Lock()
	tipLayers.of[c] = l
	tipLayers.Unlock()
	return container.NewStack(content, l.overlay)
}

func tipLayerFor(o fyne.CanvasObject) *tipLayer {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return nil
	}
	tipLayers.Lock()
	defer tipLayers.Unlock()
	return tipLayers.of[c]
}

// show places text under owner (above it when there is no room below).
func (l *tipLayer) show(owner fyne.CanvasObject, text string) {
	d := fyne.CurrentApp().Driver()
	area := l.overlay.Size()
	pad := theme.Padding()
	size, style := theme.TextSize(), fyne.TextStyle{}
	rows := wrapWords(text, max(min(tipMaxWidth, area.Width-4*pad)-2*pad, 120), size, style)
	l.lines.RemoveAll()
	for _, r := range rows {
		t := canvas.NewText(r, theme.Color(theme.ColorNameForeground))
		t.TextSize = size
		l.lines.Add(t)
	}
	l.bg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	l.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	tip := l.box.MinSize()
	at := d.AbsolutePositionForObject(owner).Subtract(d.AbsolutePositionForObject(l.overlay))
	y := at.Y + owner.Size().Height + 2
	if y+tip.Height > area.Height {
		y = max(0, at.Y-tip.Height-2)
	}
	x := max(0, min(at.X, area.Width-tip.Width))
	l.box.Move(fyne.NewPos(x, y))
	l.box.Resize(tip)
	l.owner = owner
	l.box.Show()
	l.overlay.Refresh()
}

func (l *tipLayer) hide(owner fyne.CanvasObject) {
	if l.owner == owner && l.box.Visible() {
		l.box.Hide()
		l.owner = nil
		l.overlay.Refresh()
	}
}

// wrapWords breaks text into lines no wider than width, at spaces where it can
// and inside a word (a URL, an id) where it must. Line breaks in text are kept.
func wrapWords(text string, width, size float32, style fyne.TextStyle) []string {
	fits := func(s string) bool { return fyne.MeasureText(s, size, style).Width <= width }
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			next := word
			if line != "" {
				next = line + " " + word
			}
			if fits(next) {
				line = next
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			line = word
			for !fits(line) {
				r := []rune(line)
				cut := len(r) - 1
				for cut > 1 && !fits(string(r[:cut])) {
					cut--
				}
				cut = max(cut, 1) // a rune wider than the tip still goes on a line of its own
				out = append(out, string(r[:cut]))
				line = string(r[cut:])
			}
		}
		out = append(out, line)
	}
	return out
}

// tipLabel is a label that shows its whole text when the pointer rests on it and
// the text does not fit, or, when SetTip gave one, a fuller text of its own.
type tipLabel struct {
	widget.Label
	tip     string
	hovered bool
	gen     int // which hover a pending timer belongs to
}

func newTipLabel(text string) *tipLabel {
	l := &tipLabel{}
	l.Text = text
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// SetTip sets the fuller text shown on hover ("" for the label's own, when cut off).
func (l *tipLabel) SetTip(tip string) { l.tip = tip }

// textWidth is how wide the label would be to show all of its text.
func (l *tipLabel) textWidth() float32 {
	// Truncation measures glyph by glyph; a pixel more keeps a text that fits from
	// losing its last letter to the ellipsis.
	return widget.NewLabelWithStyle(l.Text, l.Alignment, l.TextStyle).MinSize().Width + 2
}

// TipText is what hovering shows now, "" when the label shows it all.
func (l *tipLabel) TipText() string {
	if l.tip != "" && l.tip != l.Text {
		return l.tip
	}
	if l.Text != "" && l.textWidth() > l.Size().Width {
		return l.Text
	}
	return ""
}

func (l *tipLabel) MouseIn(*desktop.MouseEvent) {
	l.hovered = true
	l.gen++
	gen := l.gen
	tipAfter(tipDelay, func() {
		if l.hovered && l.gen == gen {
			l.showTip()
		}
	})
}

func (l *tipLabel) MouseMoved(*desktop.MouseEvent) {}

func (l *tipLabel) MouseOut() {
	l.hovered = false
	l.gen++
	if layer := tipLayerFor(l); layer != nil {
		layer.hide(l)
	}
}

func (l *tipLabel) showTip() {
	text := l.TipText()
	layer := tipLayerFor(l)
	if text == "" || layer == nil || !l.Visible() {
		return
	}
	layer.show(l, text)
}
