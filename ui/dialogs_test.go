package ui

import (
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// walk calls fn on o and everything inside it, as the canvas draws it.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, k := range c.Objects {
			walk(k, fn)
		}
	case *container.Scroll:
		walk(c.Content, fn)
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(c).Objects() {
			walk(k, fn)
		}
	}
}

// topDialog is what the window shows on top (the dialog last shown).
func topDialog(t *testing.T, a *App) fyne.CanvasObject {
	t.Helper()
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is shown")
	}
	return top
}

// labels is the text of every label in o.
func labels(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// scrollIn is the first scroll in o.
func scrollIn(t *testing.T, o fyne.CanvasObject) *container.Scroll {
	t.Helper()
	var s *container.Scroll
	walk(o, func(o fyne.CanvasObject) {
		if c, ok := o.(*container.Scroll); ok && s == nil {
			s = c
		}
	})
	if s == nil {
		t.Fatal("no scroll in the dialog")
	}
	return s
}

// The shortcuts dialog showed one line of its grid at a time (a bare scroll in a
// dialog shrinks to its minimum): it shows most of the keys at once now, and
// every one of them, the map's too.
func TestShortcutsDialogShowsTheKeys(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 1920, Height: 1080}} {
		a := newTestApp(t, false)
		a.win.Resize(size)
		a.showShortcuts()
		d := topDialog(t, a)
		text := labels(d)
		for _, s := range shortcuts {
			if !strings.Contains(text, s.action) {
				t.Errorf("%v: %q missing", size, s.action)
			}
		}
		for _, m := range mapKeys {
			if !strings.Contains(text, m[1]) {
				t.Errorf("%v: map key %q missing", size, m[1])
			}
		}
		row := widget.NewLabel("x").MinSize().Height
		s := scrollIn(t, d)
		if s.Size().Height < 12*row {
			t.Errorf("%v: the list is %.0f px tall, under 12 rows of %.0f", size, s.Size().Height, row)
		}
		if d.Size().Height > size.Height {
			t.Errorf("%v: the dialog is taller (%.0f) than the window", size, d.Size().Height)
		}
	}
}

// A profile dialog fits a 1280×800 window, fields scrolling, Save in view; it
// was taller than the window, its buttons over the fields.
func TestProfileDialogFitsTheWindow(t *testing.T) {
	a := newTestApp(t, false)
	a.editProfile(&session.Profile{Name: "p", Dialect: session.Dialects()[0], URL: "ws://127.0.0.1:1/"})
	d := topDialog(t, a)
	if d.Size().Height > 800 || d.Size().Width > 1280 {
		t.Fatalf("the dialog is %v in a 1280×800 window", d.Size())
	}
	var save *widget.Button
	walk(d, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Save" {
			save = b
		}
	})
	if save == nil || !save.Visible() {
		t.Fatal("no Save button shown")
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(save)
	if pos.Y+save.Size().Height > 800 {
		t.Fatalf("Save is at y=%.0f, below the window", pos.Y)
	}
}

// About names every dialect the registry has and the basemap's sources.
func TestAboutNamesDialectsAndCredits(t *testing.T) {
	a := newTestApp(t, false)
	a.showAbout()
	d := topDialog(t, a)
	if s := scrollIn(t, d); s.Size().Height < s.Content.MinSize().Height {
		t.Errorf("About scrolls in a 1280×800 window: %.0f px for %.0f", s.Size().Height, s.Content.MinSize().Height)
	}
	text := labels(d)
	for _, d := range session.Dialects() {
		if !strings.Contains(text, d) {
			t.Errorf("About does not name %s", d)
		}
	}
	if !strings.Contains(text, "GeoNames") || !strings.Contains(text, "Feedscope test") {
		t.Errorf("About: %q", text)
	}
}

// Settings keeps the theme choice, applies it at once, and says what changed.
func TestSettingsTheme(t *testing.T) {
	a := newTestApp(t, false)
	a.applySettings("Dark", "100000", "")
	if !isDark() || a.fyne.Preferences().String(prefTheme) != "dark" {
		t.Fatalf("dark: %v, pref %q", isDark(), a.fyne.Preferences().String(prefTheme))
	}
	if !strings.Contains(a.notice.Text, "theme: dark") {
		t.Errorf("notice %q", a.notice.Text)
	}
	a.applySettings("Light", "250000", "")
	if isDark() || a.settings.RingCap != 250000 || !strings.Contains(a.notice.Text, "250\u2009000 events") {
		t.Fatalf("light: dark %v, cap %d, notice %q", isDark(), a.settings.RingCap, a.notice.Text)
	}
	a.applySettings("Follow the system", "250000", a.fyne.Preferences().StringWithFallback(prefTileURL, ""))
	if a.fyne.Preferences().String(prefTheme) != "" {
		t.Fatal("follow the system was not kept")
	}
}

// The status bar's background follows a theme switch (it kept the colour of the
// theme the window was built in).
func TestStatusBarFollowsTheTheme(t *testing.T) {
	a := newTestApp(t, false)
	var bar *themedRect
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*themedRect); ok {
			bar = r
		}
	})
	if bar == nil {
		t.Fatal("no status bar background")
	}
	fill := func() color.Color {
		var c color.Color
		walk(bar, func(o fyne.CanvasObject) {
			if rect, ok := o.(*canvas.Rectangle); ok {
				c = rect.FillColor
			}
		})
		return c
	}
	before := fill()
	a.toggleTheme()
	after := fill()
	if before == after || after != theme.Color(theme.ColorNameHeaderBackground) {
		t.Fatalf("status bar %v → %v, header colour now %v", before, after, theme.Color(theme.ColorNameHeaderBackground))
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1\u2009000", 100000: "100\u2009000", 5000000: "5\u2009000\u2009000", -1234: "-1\u2009234"} {
		if got := thousands(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

// The rules dialog says when a profile has no rules (it was an empty box).
func TestRulesDialogSaysWhenEmpty(t *testing.T) {
	a := newTestApp(t, false)
	if err := a.ctl.Put("", session.Profile{Name: "p", Dialect: session.Dialects()[0], URL: "ws://127.0.0.1:1/"}); err != nil {
		t.Fatal(err)
	}
	a.editRules()
	if text := labels(topDialog(t, a)); !strings.Contains(text, "p has no watch rules yet") || !strings.Contains(text, "Match: any event") {
		t.Fatalf("rules dialog: %q", text)
	}
}

// Every View item with a key shows it, the table's bare keys too.
func TestViewMenuShowsKeys(t *testing.T) {
	a := newTestApp(t, false)
	for _, m := range a.menu().Items {
		if m.Label != "View" {
			continue
		}
		for _, it := range m.Items {
			if it.Shortcut == nil {
				t.Errorf("View → %s shows no key", it.Label)
			}
		}
	}
}

// Clearing everything asks with buttons that say what they do, and the
// confirming one clears.
func TestClearEverythingSaysWhatItClears(t *testing.T) {
	a := newTestApp(t, false)
	for i := 0; i < 3; i++ {
		a.ctl.Ring().Publish(session.Event{Profile: "p", Dir: "in", Kind: "note"})
	}
	a.Step()
	a.onClearTapped()
	var clear, keep *widget.Button
	walk(topDialog(t, a), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok {
			switch b.Text {
			case "Clear 3 events":
				clear = b
			case "Keep them":
				keep = b
			}
		}
	})
	if clear == nil || keep == nil {
		t.Fatalf("buttons: %q", labels(topDialog(t, a)))
	}
	test.Tap(clear)
	if a.model.Stored() != 0 {
		t.Fatalf("%d events left", a.model.Stored())
	}
}

// Esc closes every dialog of the app as Cancel would: the form's answer is
// Cancel (a profile is not deleted, the events stay), the newest dialog first.
func TestEscapeDismissesDialogsAsCancel(t *testing.T) {
	a := newTestApp(t, false)
	if err := a.ctl.Put("", session.Profile{Name: "p", Dialect: session.Dialects()[0], URL: "ws://127.0.0.1:1/"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		a.ctl.Ring().Publish(session.Event{Profile: "p", Dir: "in", Kind: "note"})
	}
	a.Step()
	esc := func() { a.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) }
	open := map[string]func(){
		"settings":  a.showSettings,
		"shortcuts": a.showShortcuts,
		"about":     a.showAbout,
		"rules":     a.editRules,
		"profile":   func() { a.editProfile(nil) },
		"clear":     a.onClearTapped,
	}
	for name, show := range open {
		show()
		if a.win.Canvas().Overlays().Top() == nil {
			t.Fatalf("%s: no dialog shown", name)
		}
		esc()
		if top := a.win.Canvas().Overlays().Top(); top != nil {
			t.Fatalf("%s: still shown after Esc: %q", name, labels(top))
		}
	}
	if a.model.Stored() != 3 {
		t.Fatalf("Esc on Clear everything cleared: %d events left", a.model.Stored())
	}

	// Two dialogs: Esc closes the newer, then the older.
	a.showSettings()
	a.showShortcuts()
	esc()
	if text := labels(topDialog(t, a)); !strings.Contains(text, "Settings") {
		t.Fatalf("after one Esc the top dialog is %q, not Settings", text)
	}
	esc()
	if a.win.Canvas().Overlays().Top() != nil || len(a.dialogs.open) != 0 {
		t.Fatalf("dialogs left open: %d", len(a.dialogs.open))
	}
	esc() // nothing open: nothing happens
}
