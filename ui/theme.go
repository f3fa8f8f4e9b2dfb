package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
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

// applyTheme sets the remembered choice.
func applyTheme(a fyne.App) {
	switch a.Preferences().String(prefTheme) {
	case "dark":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	case "light":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	} // nothing chosen: the theme Fyne picked (the system's variant, FYNE_THEME)
}

// toggleTheme switches between light and dark and remembers it.
func (a *App) toggleTheme() {
	next := "dark"
	if isDark() {
		next = "light"
	}
	a.fyne.Preferences().SetString(prefTheme, next)
	applyTheme(a.fyne)
	a.setNotice("Theme: " + next + " (View → Light or dark theme switches back).")
}

// isDark reports whether the theme in use is dark, by its background: the
// system's variant says nothing when the user chose one.
func isDark() bool {
	r, g, b, _ := theme.Color(theme.ColorNameBackground).RGBA()
	return (299*r+587*g+114*b)/1000 < 0x8000
}
