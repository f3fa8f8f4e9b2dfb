package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// prefTheme remembers the light or dark choice ("" follows the system).
const prefTheme = "themeVariant"

// variantTheme is Fyne's theme held to one variant, whatever the system says.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// themeChoices are the Settings dialog's words for the remembered choice ("",
// "light", "dark"), in that order.
var themeChoices = []string{"Follow the system", "Light", "Dark"}

// applyTheme sets the remembered choice. At start, nothing chosen leaves the
// theme Fyne picked (the system's variant, FYNE_THEME); switching back to it
// later (changed) gives Fyne's own theme back.
func applyTheme(a fyne.App, changed bool) {
	switch a.Preferences().String(prefTheme) {
	case "dark":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	case "light":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	default:
		if changed {
			a.Settings().SetTheme(theme.DefaultTheme())
		}
	}
}

// setTheme remembers a choice ("", "light" or "dark") and applies it.
func (a *App) setTheme(choice string) {
	a.fyne.Preferences().SetString(prefTheme, choice)
	applyTheme(a.fyne, true)
}

// toggleTheme switches between light and dark and remembers it.
func (a *App) toggleTheme() {
	next := "dark"
	if isDark() {
		next = "light"
	}
	a.setTheme(next)
	a.setNotice("Theme: " + next + " (Ctrl+T switches back; Edit → Settings… can follow the system).")
}

// themedRect is a rectangle filled with a theme colour that follows the theme
// when it changes: Fyne refreshes widgets on a theme change, not the colours a
// bare canvas.Rectangle was given.
type themedRect struct {
	widget.BaseWidget
	name fyne.ThemeColorName
}

func newThemedRect(name fyne.ThemeColorName) *themedRect {
	r := &themedRect{name: name}
	r.ExtendBaseWidget(r)
	return r
}

func (r *themedRect) CreateRenderer() fyne.WidgetRenderer {
	rect := canvas.NewRectangle(theme.Color(r.name))
	return &themedRectRenderer{rect: rect, name: r.name}
}

type themedRectRenderer struct {
	rect *canvas.Rectangle
	name fyne.ThemeColorName
}

func (r *themedRectRenderer) Layout(s fyne.Size)           { r.rect.Resize(s) }
func (r *themedRectRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *themedRectRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }
func (r *themedRectRenderer) Destroy()                     {}
func (r *themedRectRenderer) Refresh() {
	r.rect.FillColor = theme.Color(r.name)
	r.rect.Refresh()
}

// isDark reports whether the theme in use is dark, by its background: the
// system's variant says nothing when the user chose one.
func isDark() bool {
	r, g, b, _ := theme.Color(theme.ColorNameBackground).RGBA()
	return (299*r+587*g+114*b)/1000 < 0x8000
}
