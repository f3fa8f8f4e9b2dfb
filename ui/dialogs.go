package ui

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// dialogChrome is what a dialog adds around its content: title, buttons, padding.
const dialogChrome = 150

// dialogMargin is the least room left between a dialog and the window's edges.
const dialogMargin = 48

// scrollFit puts content in a vertical scroll that asks for its whole height
// when the window has room for it and for the window's height otherwise. A
// dialog is at least as large as its content's minimum size: a bare tall form
// grows past the bottom of a 1280×800 window, and a bare scroll shrinks to one
// line (fyne.io/fyne/v2/dialog, custom.go: the dialog sizes to MinSize).
func scrollFit(content fyne.CanvasObject, win fyne.Window, width float32) *container.Scroll {
	s := container.NewVScroll(content)
	room := win.Canvas().Size().Height - dialogChrome - dialogMargin
	s.SetMinSize(fyne.NewSize(width, max(min(content.MinSize().Height, room), 120)))
	return s
}

// fitToWindow is the size of a dialog that would like want, within the window.
func fitToWindow(want fyne.Size, win fyne.Window) fyne.Size {
	c := win.Canvas().Size()
	return fyne.NewSize(min(want.Width, c.Width-dialogMargin), min(want.Height, c.Height-dialogMargin))
}

// modals are a window's open dialogs, newest last, so that Esc can dismiss the
// one on top as its Cancel (or Close) button would: Fyne's dialogs take no keys
// of their own (fyne.io/fyne/v2/dialog, base.go). Hide answers a form or a
// confirmation with false, which is what Cancel does.
type modals struct{ open []dialog.Dialog }

// show shows d and keeps it until it closes, by any button or by Esc.
func (m *modals) show(d dialog.Dialog) {
	m.open = append(m.open, d)
	d.SetOnClosed(func() {
		m.open = slices.DeleteFunc(m.open, func(o dialog.Dialog) bool { return o == d })
	})
	d.Show()
}

// escape dismisses the newest dialog; false when none is open.
func (m *modals) escape() bool {
	if len(m.open) == 0 {
		return false
	}
	m.open[len(m.open)-1].Hide()
	return true
}

// appIcon is the application icon at a size one can see (a widget.Icon is the
// size of a button's icon).
func appIcon(side float32) fyne.CanvasObject {
	img := canvas.NewImageFromResource(icon)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSquareSize(side))
	return container.NewCenter(img)
}

// shortcutsContent lists the window's keys, then the map's, in two columns: the
// key and what it does.
func shortcutsContent() fyne.CanvasObject {
	keys := container.New(layout.NewFormLayout())
	add := func(key, what string) {
		keys.Add(widget.NewLabelWithStyle(key, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
		keys.Add(widget.NewLabel(what))
	}
	heading := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	for _, s := range shortcuts {
		key := keyName(s.key)
		if s.ctrl {
			key = "Ctrl+" + key
		}
		add(key, s.action)
	}
	mapKeyList := container.New(layout.NewFormLayout())
	for _, m := range mapKeys {
		mapKeyList.Add(widget.NewLabelWithStyle(strings.TrimPrefix(m[0], "Map: "), fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
		mapKeyList.Add(widget.NewLabel(m[1]))
	}
	return container.NewVBox(heading("Window and table"), keys, widget.NewSeparator(), heading("Map"), mapKeyList)
}

// keyName is how a key is written on a keyboard.
func keyName(k fyne.KeyName) string {
	switch k {
	case fyne.KeyEscape:
		return "Esc"
	}
	return string(k)
}

// aboutContent says what Feedscope is, which dialects it speaks (as the
// registry has them) and whose work it is built on.
func aboutContent(version string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Feedscope "+version, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	what := widget.NewLabel("Watch live WebSocket feeds, record them and replay them. Dialects: " + strings.Join(session.Dialects(), ", ") + ".")
	what.Wrapping = fyne.TextWrapWord
	what.Alignment = fyne.TextAlignCenter
	credits := widget.NewLabel("Built with Fyne, gorilla/websocket and paulmach/orb. " + strings.ReplaceAll(BasemapCredits, "\n", " "))
	credits.Wrapping = fyne.TextWrapWord
	credits.SizeName = theme.SizeNameCaptionText // smaller, not fainter: LowImportance is barely legible on the dark theme
	parts := []fyne.CanvasObject{appIcon(96), title, what}
	if u, err := url.Parse(projectURL); err == nil {
		parts = append(parts, container.NewCenter(widget.NewHyperlink(projectURL, u)))
	}
	return container.NewVBox(append(parts, widget.NewSeparator(), credits)...)
}

// aboutHeight is what aboutContent needs at 600 px wide: the icon, four lines of
// text, the link and four lines of credits.
const aboutHeight = 430

// projectURL is the project's home page, as the tile requests' User-Agent names it.
const projectURL = "https://github.com/feedscope/feedscope"

// thousands writes a count with a thin space between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r != '-' && s[i-1] != '-' && (len(s)-i)%3 == 0 {
			b.WriteRune('\u2009')
		}
		b.WriteRune(r)
	}
	return b.String()
}
