// Package ui is Feedscope's desktop window, built with Fyne. It is the only package
// that imports Fyne; it never opens a socket, it drives session.Session values
// through a Hub and reads their events from the Hub's ring, at most 30 times a
// second, handing them to widgets through fyne.Do.
package ui

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/assets"
	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/tiles"
	"github.com/feedscope/feedscope/watch"
)

// AppID is the application's unique id (also in FyneApp.toml).
const AppID = "io.github.feedscope"

// Preference keys.
const (
	prefRingCap = "ringCap"
	prefTileURL = "tileURL"
)

// icon is the application icon as a Fyne resource.
var icon = fyne.NewStaticResource("icon.png", assets.IconPNG)

// Options configure the window.
type Options struct {
	Version string
	// ManualDrain leaves moving events to the UI to Step, for tests.
	ManualDrain bool
	// Probe logs the UI's responsiveness every second (the harness reads it).
	Probe bool
	// Notice is shown in the status bar at start (why the profiles could not be read).
	Notice string
	// Tiles builds the Map tab's online layer for a URL template; nil leaves the
	// layer off. cmd builds it: ui opens no connection of its own.
	Tiles func(urlTemplate string) *tiles.Source
	// RecordDir is where Record puts its files (the controller's, shown to the user).
	RecordDir string
	// Open lists recordings to open as read-only sources at start.
	Open []string
}

// Settings are read once from preferences.
type Settings struct {
	RingCap int
}

// softMemoryLimit is the heap the collector aims to stay under (GOMEMLIMIT
// overrides it); above it, it collects more often rather than failing. It is a
// backstop: gcPercent keeps the heap well under it.
const softMemoryLimit = 320 << 20

// tableShare is the table's part of the width beside the detail pane: at 1280 px
// a kind and a typical summary are not cut.
const tableShare = 0.77

// gcPercent is how far the heap may grow past what is live before the next
// collection (GOGC overrides it). The events the table holds live outside the Go
// heap (session.Ring), so what is live is small and mostly Fyne's parsed fonts,
// and what is allocated per event dies young. Since the session reader lends one
// frame buffer to its sinks, the app allocates about half what it did, so
// collecting at 25 % over the live heap runs about as often as 50 % did before
// (make bench-ui: 121 collections in the run, against 145 at 50 % before the
// reader's change and 56 at 50 % after it). Two runs side by side: 12 MB less
// resident, the collector at 3.1 % of the machine's CPU against 1.7 %, input
// latency alike (both dominated by a load of 12 from other work).
const gcPercent = 25

// refreshEvery caps how often the table repaints.
const refreshEvery = time.Second / 30

// App is the main window. What it shows and does belongs to a control.Controller;
// the App only draws it and hands the user's actions on.
type App struct {
	fyne     fyne.App
	win      fyne.Window
	version  string
	settings Settings
	ctl      *control.Controller
	profiles []session.Profile // the controller's, as of the last refresh
	dialogs  modals            // open dialogs, for Esc

	model   *Model
	list    *EventList
	detail  *Detail
	sidebar *Sidebar
	filter  *filterEntry
	status  *pieceLabel
	paced   *statusText // a.status, its counts' changes paced
	notice  *tipLabel
	pause   *widget.Button
	scope   *widget.Button // what the table shows; tapping it shows every profile
	latest  *widget.Check  // the table shows one row per subject
	centre  *container.Split
	right   fyne.CanvasObject // the detail pane, which the user may fold away
	split   float64           // the centre's offset before the detail was hidden
	follow  *widget.Button
	connect *widget.Button
	tls     *widget.Label

	selectedNode string
	paused       bool
	heldCount    uint64 // events that arrived while paused
	seenSeq      uint64 // the ring's sequence of the newest event handed to apply
	dropped      uint64
	rates        map[string]float64
	states       map[string]control.State
	seen         map[string]session.Status // what apply last saw: refreshSide samples states too
	openAt       map[string]int            // Status.Reconnects when apply last saw each profile open
	lastSide     time.Time
	health       *Health
	subs         *SubManager
	composer     *Composer
	watch        *widget.Button
	tabs         *container.AppTabs
	mapPanel     *MapPanel
	alerts       *AlertsPanel
	replay       *replayBar
	rec          *recordControls
	busy         atomic.Bool
	pump         pump
	probe        *probe
	opts         Options
	stop         chan struct{}
}

// NewFyneApp returns the Fyne application with Feedscope's id and icon.
func NewFyneApp() fyne.App {
	a := app.NewWithID(AppID)
	a.SetIcon(icon)
	return a
}

// StorageDir is where the app keeps its files (profiles, tiles).
func StorageDir(a fyne.App) string { return a.Storage().RootURI().Path() }

// RingCap is how many events the user chose to keep.
func RingCap(a fyne.App) int {
	return a.Preferences().IntWithFallback(prefRingCap, session.DefaultRingCap)
}

// Run opens the window on ctl and blocks until it closes.
func Run(a fyne.App, ctl *control.Controller, o Options) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	fa := New(a, ctl, o)
	fa.win.ShowAndRun()
	fa.Shutdown()
}

// New builds the window on a (which may be a test app) without showing it.
func New(a fyne.App, ctl *control.Controller, o Options) *App {
	fa := &App{fyne: a, version: o.Version, ctl: ctl, rates: map[string]float64{}, states: map[string]control.State{}, seen: map[string]session.Status{}, openAt: map[string]int{}, stop: make(chan struct{}), health: NewHealth()}
	fa.opts = o
	fa.settings.RingCap = RingCap(a)
	fa.model = NewModel(ctl.Ring())
	fa.win = a.NewWindow("Feedscope")
	fa.buildUI()
	fa.win.Resize(fyne.NewSize(1280, 800))
	if o.Probe {
		fa.probe = newProbe(func() (int, int) {
			pos, size := a.Driver().AbsolutePositionForObject(fa.pause), fa.pause.Size()
			scale := fa.win.Canvas().Scale()
			return int((pos.X + size.Width/2) * scale), int((pos.Y + size.Height/2) * scale)
		}, ctl.Ring().Mapped)
	}
	fa.win.SetCloseIntercept(func() { fa.win.Close() })
	ctl.OnSaveError(func(err error) {
		log.Printf("feedscope: %v", err)
		fyne.Do(func() { fa.setNotice(err.Error()) })
	})
	if o.Notice != "" {
		fa.setNotice(o.Notice)
		log.Printf("feedscope: %s", o.Notice)
	}
	fa.refreshSide()
	for _, path := range o.Open {
		fa.openRecording(path)
	}
	if !o.ManualDrain {
		go fa.drain()
	}
	return fa
}

// Window returns the main window.
func (a *App) Window() fyne.Window { return a.win }

// Shutdown stops moving events to the window; the controller is its owner's to close.
func (a *App) Shutdown() {
	select {
	case <-a.stop:
		return
	default:
	}
	close(a.stop)
}

func (a *App) buildUI() {
	a.list = NewEventList(a.model)
	a.list.SetWidths(parseWidths(a.fyne.Preferences().String(prefColumns)))
	a.list.OnColumnsChanged = func(w []int) { a.fyne.Preferences().SetString(prefColumns, formatWidths(w)) }
	restoreView(a.list, a.fyne.Preferences())
	a.detail = NewDetail(a.fyne)
	a.detail.OnCopied = func(what string) { a.setNotice("Copied " + what + " to the clipboard.") }
	a.watch = widget.NewButtonWithIcon("Watch this note", theme.VisibilityIcon(), nil)
	a.watch.Hide()
	a.list.OnSelected = func(e *session.Event) {
		a.detail.Show(e)
		a.offerWatch(e)
		if e != nil && e.Geo != nil && a.mapPanel != nil {
			a.mapPanel.Map.CenterOn(orb.Point{e.Geo.Lon, e.Geo.Lat}, 12)
		}
	}
	a.list.OnFollowChanged = func(bool) { a.updateButtons(); a.updateStatus() }
	a.list.OnSpace = a.onPauseTapped
	a.list.OnEscape = a.showAllProfiles
	a.list.OnViewChanged = func() { saveView(a.list, a.fyne.Preferences()); a.updateStatus() }
	a.list.OnCopied = func(what string) { a.setNotice("Copied the " + what + " to the clipboard.") }
	a.sidebar = NewSidebar()
	a.sidebar.IsSource = a.isSource
	a.sidebar.Tree.OnSelected = func(id widget.TreeNodeID) {
		a.selectedNode = id
		name, sub, _ := strings.Cut(id, subSep)
		a.onScopeChanged(Scope{Profile: name, Sub: sub})
		// The sidebar cuts a long state ("rejected: 401 in…"): the whole of it here.
		if st, ok := a.states[name]; ok && st.Status.Detail != "" {
			a.setNotice(name + " · " + StateText(st.Status))
		}
		a.subs.SetProfile(name)
		a.composer.SetProfile(name)
		if a.isSource(name) {
			a.replay.show(name)
		}
		a.updateButtons()
	}
	a.sidebar.Tree.OnUnselected = func(widget.TreeNodeID) {
		a.selectedNode = ""
		a.onScopeChanged(Scope{})
		a.updateButtons()
	}

	a.filter = newFilterEntry()
	a.filter.SetPlaceHolder("Filter: words  kind:note  dir:in  /regex/  -not")
	a.filter.OnChanged = a.onFilterChanged
	a.filter.onEscape = func() { a.win.Canvas().Focus(a.list) }
	a.scope = widget.NewButtonWithIcon("All profiles", theme.ListIcon(), a.showAllProfiles)
	a.scope.Importance = widget.LowImportance
	// One row per track, note or kind beside the raw stream: a feed that repeats
	// the same 12 vessels every second reads as 12 rows.
	a.latest = widget.NewCheck("Latest per key", a.list.SetLatest)
	a.latest.Checked = a.list.Latest() // as remembered, without calling SetLatest again

	a.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), a.onPauseTapped)
	a.follow = widget.NewButtonWithIcon("Follow", theme.MoveDownIcon(), func() { a.list.SetFollowing(true) })
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), a.onClearTapped)
	export := widget.NewButtonWithIcon("Export", theme.DocumentSaveIcon(), a.onExportTapped)
	add := widget.NewButtonWithIcon("Profile", theme.ContentAddIcon(), func() { a.editProfile(nil) })
	a.connect = widget.NewButtonWithIcon("Connect", theme.MediaPlayIcon(), a.onConnectTapped)
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if p := a.selectedProfile(); p != nil {
			a.editProfile(p)
		}
	})
	dup := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), a.onDuplicateTapped)
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), a.onDeleteTapped)

	a.rec = newRecordControls(a.onRecordTapped, a.onRecordAllTapped)
	a.replay = newReplayBar(a.ctl.Sources, a.replayMoved, a.closeSource)
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(add, a.connect, a.rec.toggle, widget.NewSeparator(), a.pause, a.follow, clear),
		container.NewHBox(a.rec.all, export))
	// What the table shows sits right above it, the filter as wide as the table:
	// in the toolbar it was left 190 px at 1280 with a profile selected.
	events := container.NewBorder(container.NewBorder(nil, nil, a.scope, a.latest, a.filter), nil, nil, nil, a.list)
	side := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle("PROFILES", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewButtonWithIcon("All profiles", theme.HomeIcon(), a.showAllProfiles)),
		container.NewHBox(edit, dup, del), nil, nil, a.sidebar.Tree)
	a.tls = widget.NewLabel("")
	a.mapPanel = newMapPanel(mapDeps{ctl: a.ctl, notice: a.setNotice, pick: a.selectTrackEvent, clock: a.sourceClock, changed: a.refreshSide, win: a.win, clip: a.fyne.Clipboard(),
		tiles: a.opts.Tiles, tileURL: func() string { return a.fyne.Preferences().StringWithFallback(prefTileURL, tiles.DefaultURL) },
		prefs: a.fyne.Preferences(), rules: a.ctl})
	a.subs = newSubManager(a.ctl, a.health, a.refreshSide, func(profile, id string) { a.sidebar.Tree.Select(profile + subSep + id) })
	a.composer = newComposer(a.ctl, a.fyne.Preferences(), a.refreshSide)
	a.alerts = newAlertsPanel(a.editRules)
	a.alerts.Notify = func(title, body string) { a.fyne.SendNotification(fyne.NewNotification(title, body)) }
	a.alerts.OnChosen = a.onAlertChosen
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon("Events", theme.ListIcon(), events),
		container.NewTabItemWithIcon("Subscriptions", theme.SettingsIcon(), a.subs.Content),
		container.NewTabItemWithIcon("Composer", theme.MailComposeIcon(), a.composer.Content),
		container.NewTabItemWithIcon("Map", theme.GridIcon(), a.mapPanel.Content),
		container.NewTabItemWithIcon("Alerts", theme.WarningIcon(), a.alerts.Content))
	tabs.OnSelected = func(*container.TabItem) { a.refreshSide() }
	a.tabs = tabs
	right := container.NewBorder(widget.NewLabelWithStyle("DETAIL", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), a.watch, nil, nil, a.detail.Content)
	centre := container.NewHSplit(tabs, right)
	centre.Offset = tableShare
	a.centre, a.right = centre, right
	main := container.NewHSplit(side, centre)
	main.Offset = 0.2

	a.status = newPieceLabel("", fyne.TextStyle{Monospace: true})
	a.paced = newStatusText(a.status, statusEvery)
	a.notice = newTipLabel("")
	bar := newThemedRect(theme.ColorNameHeaderBackground)
	statusBar := container.NewStack(bar, container.NewBorder(nil, nil, container.NewHBox(a.rec.box, a.status), a.tls, a.notice))

	a.win.SetContent(withTips(a.win.Canvas(), container.NewBorder(container.NewPadded(toolbar), container.NewVBox(a.replay.Content, statusBar), nil, nil, main)))
	applyTheme(a.fyne, false)
	a.win.SetMainMenu(a.menu())
	a.addShortcuts()
	a.updateButtons()
	a.updateStatus()
}

func (a *App) menu() *fyne.MainMenu {
	// Items with a shortcut show it (hint only: the canvas's shortcuts act).
	hint := func(item *fyne.MenuItem, key fyne.KeyName) *fyne.MenuItem {
		item.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
		return item
	}
	// The table's own keys, without Ctrl (they act when the table has focus).
	bare := func(item *fyne.MenuItem, key fyne.KeyName) *fyne.MenuItem {
		item.Shortcut = &desktop.CustomShortcut{KeyName: key}
		return item
	}
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			hint(fyne.NewMenuItem("New profile…", func() { a.editProfile(nil) }), fyne.KeyN),
			hint(fyne.NewMenuItem("Open recording…", a.onOpenRecording), fyne.KeyO),
			fyne.NewMenuItem("Record all profiles", a.onRecordAllTapped),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Import profiles…", a.onImportProfiles),
			fyne.NewMenuItem("Export profiles…", a.onExportProfiles),
			fyne.NewMenuItemSeparator(),
			hint(fyne.NewMenuItem("Export events…", a.onExportTapped), fyne.KeyE)),
		fyne.NewMenu("Edit",
			fyne.NewMenuItem("Settings…", a.showSettings)),
		fyne.NewMenu("View",
			bare(fyne.NewMenuItem("Pause / resume", a.onPauseTapped), fyne.KeySpace),
			bare(fyne.NewMenuItem("Follow newest", func() { a.list.SetFollowing(true) }), fyne.KeyEnd),
			hint(fyne.NewMenuItem("Clear", a.onClearTapped), fyne.KeyL),
			hint(fyne.NewMenuItem("Find…", a.focusFilter), fyne.KeyF),
			hint(fyne.NewMenuItem("Show or hide the detail pane", a.toggleDetail), fyne.KeyD),
			hint(fyne.NewMenuItem("Light or dark theme", a.toggleTheme), fyne.KeyT)),
		fyne.NewMenu("Help",
			fyne.NewMenuItem("Keyboard shortcuts", a.showShortcuts),
			fyne.NewMenuItem("About Feedscope", a.showAbout)),
	)
}

// shortcuts lists every keyboard shortcut with what it does.
var shortcuts = []struct {
	key    fyne.KeyName
	ctrl   bool
	action string
}{
	{fyne.KeyF, true, "Focus the filter"},
	{fyne.KeySpace, false, "Pause or resume the table (when the table has focus)"},
	{fyne.KeyE, true, "Export the rows shown"},
	{fyne.KeyN, true, "New profile"},
	{fyne.KeyO, true, "Open a recording"},
	{fyne.KeyL, true, "Clear what the table shows (everything: after asking)"},
	{fyne.KeyT, true, "Switch between the light and the dark theme"},
	{fyne.KeyD, true, "Show or hide the detail pane"},
	{fyne.KeyEscape, false, "Leave the filter; in the table, show every profile again"},
	{fyne.KeyEnd, false, "Follow the newest event (table)"},
	{fyne.KeyC, true, "Copy the selected row as text (table; right-click: raw JSON, summary)"},
}

func (a *App) addShortcuts() {
	actions := map[fyne.KeyName]func(){
		fyne.KeyF: a.focusFilter,
		fyne.KeyE: a.onExportTapped,
		fyne.KeyN: func() { a.editProfile(nil) },
		fyne.KeyO: a.onOpenRecording,
		fyne.KeyL: a.onClearTapped,
		fyne.KeyT: a.toggleTheme,
		fyne.KeyD: a.toggleDetail,
	}
	for key, fn := range actions {
		a.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	a.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch {
		case ev.Name == fyne.KeyEscape:
			a.dialogs.escape()
		case ev.Name == fyne.KeySpace && len(a.dialogs.open) == 0: // not behind a dialog's back
			a.onPauseTapped()
		}
	})
}

// focusFilter brings the Events tab, where the filter is, forward and types into it.
func (a *App) focusFilter() {
	if a.tabs != nil && len(a.tabs.Items) > 0 {
		a.tabs.Select(a.tabs.Items[0])
	}
	a.win.Canvas().Focus(a.filter)
}

// showSettings edits the preferences; the ring size applies from the next start.
func (a *App) showSettings() {
	capEntry := widget.NewEntry()
	capEntry.SetText(fmt.Sprint(a.settings.RingCap))
	capEntry.Validator = func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 || n > 5_000_000 {
			return fmt.Errorf("a whole number from 1 000 to 5 000 000")
		}
		return nil
	}
	tileEntry := widget.NewEntry()
	tileEntry.SetText(a.fyne.Preferences().StringWithFallback(prefTileURL, tiles.DefaultURL))
	tileEntry.Validator = func(s string) error {
		if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") || !strings.Contains(s, "{z}") || !strings.Contains(s, "{x}") || !strings.Contains(s, "{y}") {
			return fmt.Errorf("an http(s) URL with {z}, {x} and {y}")
		}
		return nil
	}
	themes := widget.NewRadioGroup(themeChoices, nil)
	themes.Horizontal = true
	themes.Required = true
	themes.SetSelected(themeChoices[themeIndex(a.fyne.Preferences().String(prefTheme))])
	items := []*widget.FormItem{
		{Text: "Theme", Widget: themes, HintText: "Ctrl+T switches between light and dark"},
		{Text: "Events kept", Widget: capEntry, HintText: "the table's memory bound; applies from the next start"},
		{Text: "Map tiles", Widget: tileEntry, HintText: "URL template of the Map tab's Street map layer; respect the server's usage policy"},
	}
	d := dialog.NewForm("Settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		a.applySettings(themes.Selected, strings.TrimSpace(capEntry.Text), strings.TrimSpace(tileEntry.Text))
	}, a.win)
	d.Resize(fitToWindow(fyne.NewSize(720, d.MinSize().Height), a.win))
	a.dialogs.show(d)
}

// themeIndex is the place of a remembered theme choice in themeChoices.
func themeIndex(pref string) int {
	switch pref {
	case "light":
		return 1
	case "dark":
		return 2
	}
	return 0
}

// applySettings keeps what the Settings dialog says and tells what changed.
func (a *App) applySettings(themeChoice, ringCap, tileURL string) {
	prefs := a.fyne.Preferences()
	var changed []string
	if want := []string{"", "light", "dark"}[max(0, slices.Index(themeChoices, themeChoice))]; want != prefs.String(prefTheme) {
		a.setTheme(want)
		changed = append(changed, "theme: "+strings.ToLower(themeChoice))
	}
	if n, err := strconv.Atoi(ringCap); err == nil && n != a.settings.RingCap {
		a.settings.RingCap = n
		prefs.SetInt(prefRingCap, n)
		changed = append(changed, fmt.Sprintf("%s events kept from the next start", thousands(n)))
	}
	if tileURL != prefs.StringWithFallback(prefTileURL, tiles.DefaultURL) {
		prefs.SetString(prefTileURL, tileURL)
		changed = append(changed, "street map tiles from "+tileURL)
	}
	if len(changed) == 0 {
		a.setNotice("Settings: nothing changed.")
		return
	}
	a.setNotice("Settings saved: " + strings.Join(changed, "; ") + ".")
}

// mapKeys are the map's keys and mouse gestures (MapView), for the shortcuts dialog.
var mapKeys = [][2]string{
	{"Map: + / −, wheel", "Zoom in or out"},
	{"Map: drag", "Pan"},
	{"Map: click (drawing)", "Add a vertex; drag one to move it, an edge's middle to insert"},
	{"Map: right-click", "Delete the nearest vertex"},
	{"Map: Enter, double-click", "Finish the polygon"},
	{"Map: Esc", "Cancel the polygon"},
	{"Map: Ctrl+Z / Ctrl+Y", "Undo / redo a vertex edit"},
}

func (a *App) showShortcuts() {
	a.dialogs.show(dialog.NewCustom("Keyboard shortcuts", "Close", scrollFit(shortcutsContent(), a.win, 680), a.win))
}

func (a *App) showAbout() {
	// Wrapped labels ask for one line until laid out, so the scroll is given the
	// text's height at 600 px (it scrolls only in a window too short for it).
	s := scrollFit(aboutContent(a.version), a.win, 600)
	s.SetMinSize(fyne.NewSize(600, min(aboutHeight, a.win.Canvas().Size().Height-dialogChrome-dialogMargin)))
	a.dialogs.show(dialog.NewCustom("About Feedscope", "Close", s, a.win))
}

// drain tells the UI what arrived in the controller's ring, at most 30 times a
// second, never queuing a second update while one is pending: when the UI is slow,
// events wait in the ring, and whatever the ring drops meanwhile is counted and
// shown. The events themselves are never copied for the UI: the table reads them
// from the ring by sequence number.
func (a *App) drain() {
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
		if a.busy.Load() {
			continue
		}
		update, n := a.pump.collect(a.ctl)
		a.busy.Store(true)
		queued := time.Now()
		fyne.Do(func() {
			defer a.busy.Store(false)
			began := time.Now()
			update(a)
			a.probe.applied(queued, began, n)
		})
	}
}

// Step runs one drain cycle on the calling goroutine, for tests that build the app
// with Options.ManualDrain.
func (a *App) Step() {
	update, _ := a.pump.collect(a.ctl)
	update(a)
	a.paced.flush() // the test reads what this cycle saw, not what it was 250 ms ago
}

// pump is the drain's state, owned by the drain goroutine.
type pump struct {
	last   uint64
	counts map[string]int
	rateAt time.Time
	phases map[string]string
}

// arrivals is what one drain cycle found in the ring, for the UI goroutine.
type arrivals struct {
	last    uint64 // the newest sequence covered
	n       int
	replies []reply         // answers to commands
	fixes   []trackFix      // positions for the map
	alerts  []session.Event // watch rules' alerts (few: a copy each)
	states  map[string]control.State
	rates   map[string]float64 // nil until a second has passed
	// resets names the recordings whose clock went back, each with the sequence
	// up to which its old events leave the view.
	resets map[string]uint64
}

// reply is a profile's answer to a command, as its dialect reads it.
type reply struct {
	profile string
	session.Reply
}

// collect reads what arrived since the last cycle, off the UI goroutine, in place
// in the ring, and returns the update to run on it.
func (p *pump) collect(ctl *control.Controller) (func(*App), int) {
	if p.counts == nil {
		p.counts, p.phases, p.rateAt = map[string]int{}, map[string]string{}, time.Now()
	}
	var in arrivals
	in.resets = ctl.StepSources() // the opened recordings' events, up to their clocks
	_, in.last = ctl.Ring().Bounds()
	ctl.Ring().Each(p.last, in.last, func(_ uint64, e *session.Event) {
		in.n++
		p.counts[e.Profile]++
		if e.Dir == watch.DirAlert {
			in.alerts = append(in.alerts, e.Clone())
		}
		if e.Dir != session.DirIn {
			return
		}
		if f, ok := fixOf(e); ok {
			in.fixes = append(in.fixes, f)
		}
		if r, ok := session.ReplyOf(e); ok {
			in.replies = append(in.replies, reply{e.Profile, r})
		}
	})
	p.last = in.last
	in.states = ctl.States()
	for k, v := range ctl.SourceStates() {
		in.states[k] = v
	}
	logTransitions(in.states, p.phases)
	if el := time.Since(p.rateAt); el >= time.Second {
		in.rates = make(map[string]float64, len(p.counts))
		for k, n := range p.counts {
			in.rates[k] = float64(n) / el.Seconds()
		}
		clear(p.counts)
		p.rateAt = time.Now()
	}
	return func(a *App) { a.apply(&in) }, in.n
}

// logTransitions writes each profile's state changes to stderr, for people running
// the app from a terminal (and the smoke test). No secrets reach these lines.
func logTransitions(states map[string]control.State, seen map[string]string) {
	for name, st := range states {
		key := st.Status.Phase + st.Status.Detail
		if _, known := seen[name]; !known && !st.Live && st.Status.Detail == "" {
			seen[name] = key // a profile not connected yet: nothing happened
			continue
		}
		if seen[name] != key {
			seen[name] = key
			log.Printf("feedscope: %s: %s: %s", name, st.Status.Phase, st.Status.Detail)
		}
	}
}

// apply runs on the UI goroutine with one cycle's arrivals.
func (a *App) apply(in *arrivals) {
	a.seenSeq = in.last
	a.hideSourceEvents(in.resets)
	for name, st := range in.states {
		old, ok := a.seen[name]
		changed := !ok || old.Phase != st.Status.Phase
		switch {
		case changed && problem(st.Status):
			a.setNotice(name + ": " + st.Status.Detail)
		case changed && st.Status.Phase == session.PhaseOpen && strings.HasPrefix(a.notice.Text, name+": "),
			a.reopened(name, st.Status):
			// The problem it named is over: a stale "reconnecting in 587ms" misleads.
			a.setNotice(name + ": open again")
		}
		a.seen[name] = st.Status
		switch st.Status.Phase {
		case session.PhaseOpen:
			a.openAt[name] = st.Status.Reconnects
		case session.PhaseClosed, session.PhaseRejected:
			delete(a.openAt, name)
		}
	}
	a.states = in.states
	if in.rates != nil {
		a.rates = in.rates
	}
	if a.paused {
		// The held events stay where they are, in the ring: the view keeps its
		// position, and resume takes them from there.
		a.heldCount = a.seenSeq - a.model.Last()
	} else {
		a.advance()
	}
	a.list.Tick()
	a.subs.OnReplies(in.replies)
	a.mapPanel.OnFixes(in.fixes)
	a.alerts.OnEvents(in.alerts)
	a.health.Sample(time.Now(), a.states)
	if time.Since(a.lastSide) > 250*time.Millisecond {
		a.refreshSide()
	}
	a.updateStatus()
}

// advance takes what the drain has seen into the table.
func (a *App) advance() {
	if a.seenSeq == a.model.Last() {
		return
	}
	evicted, missed := a.model.Advance(a.seenSeq)
	a.dropped += missed
	a.list.Appended(evicted)
}

// reopened tells whether a profile apply saw open is open again on a later
// connection. The drop can fall between two cycles, which then never see it:
// misskey-js reconnects 1 ms after a cut (session/misskey/client.go), and
// refreshSide's own sampling of the states can take the reconnecting phase
// before apply compares with it.
func (a *App) reopened(name string, st session.Status) bool {
	n, seen := a.openAt[name]
	return seen && st.Phase == session.PhaseOpen && st.Reconnects > n
}

// problem reports whether a status is worth a sentence in the status bar: not a
// profile never connected, nor one the user closed.
func problem(st session.Status) bool {
	switch st.Phase {
	case session.PhaseReconnecting, session.PhaseRejected:
		return true
	case session.PhaseClosed:
		return st.Detail != "" && st.Detail != session.DetailClosedByUser
	}
	return false
}

func (a *App) refreshSide() {
	a.lastSide = time.Now()
	a.profiles, a.states = a.withSources(a.ctl.Profiles(), a.ctl.States())
	a.sidebar.health = a.health
	a.sidebar.Update(a.profiles, a.states, a.rates)
	if a.subs != nil {
		a.subs.Refresh()
	}
	if a.mapPanel != nil && a.tabs != nil && a.tabs.Selected() != nil && a.tabs.Selected().Text == "Map" {
		a.mapPanel.Update(a.profiles, a.states)
	}
	a.updateButtons()
	a.updateStatus()
}

// applyNewSub adds a subscription and returns its id.
func (a *App) applyNewSub(profile string, spec json.RawMessage) (string, error) {
	id, err := a.ctl.Subscribe(profile, spec)
	if err != nil {
		return "", err
	}
	a.refreshSide()
	return id, nil
}

// selectTrackEvent selects the newest table row about track k.
func (a *App) selectTrackEvent(k geo.TrackKey, label string) {
	key := k.String()
	for i := a.model.Len() - 1; i >= 0; i-- {
		if e := a.model.Row(i); e.Key == key && e.Profile == k.Source && e.Geo != nil && a.list.SelectSeq(a.model.Seq(i)) {
			a.setNotice("Selected the latest observation of " + label + ".")
			return
		}
	}
	a.setNotice("No observation of " + label + " is in the table (filtered out or cleared).")
}

// offerWatch offers the follow-up subscription the event's dialect suggests for
// it (for a Misskey note: watch it).
func (a *App) offerWatch(e *session.Event) {
	var fu session.FollowUp
	ok := false
	if e != nil {
		fu, ok = session.FollowUpOf(e)
	}
	if !ok {
		a.watch.Hide()
		return
	}
	profile := e.Profile
	a.watch.SetText(fu.Label)
	a.watch.OnTapped = func() {
		sid, err := a.applyNewSub(profile, fu.Spec)
		if err != nil {
			a.setNotice(err.Error())
			return
		}
		a.setNotice(fmt.Sprintf("Subscription #%s of %s. %s", sid, profile, fu.Notice))
	}
	a.watch.Show()
}

func (a *App) updateStatus() {
	open, total := 0, 0.0
	for _, st := range a.states {
		if st.Status.Phase == session.PhaseOpen {
			open++
		}
	}
	for _, r := range a.rates {
		total += r
	}
	mode, state := "following", "following"
	switch {
	case a.paused:
		mode, state = fmt.Sprintf("paused · %d held", a.heldCount), "paused"
	case !a.list.Following():
		mode, state = "scrolled back", "scrolled back"
	}
	shown := fmt.Sprintf("%d shown", a.model.Len())
	if a.list.Latest() {
		shown = fmt.Sprintf("%d keys of %d", a.list.Len(), a.model.Len())
	}
	if st := a.list.SortText(); st != "" {
		shown += " · " + st
	}
	s := fmt.Sprintf("%s · %d open · %.0f ev/s · %d of %d kept · %s · %s",
		count(len(a.profiles), "profile", "profiles"), open, total, a.model.Stored(), a.model.Cap(), shown, mode)
	if a.dropped > 0 {
		s += " · " + count(int(a.dropped), "event", "events") + " dropped from view"
	}
	alerts := a.alerts.Count()
	if alerts > 0 {
		s += " · ⚑ " + count(alerts, "alert", "alerts")
	}
	// What changes at every drain (held, kept, shown, dropped, ev/s) waits for the
	// pace; what the user did or must know about shows at once.
	key := fmt.Sprintf("%d %d %s %t %s %t %d", len(a.profiles), open, state, a.list.Latest(), a.list.SortText(), a.dropped > 0, alerts)
	a.paced.set(key, s, time.Now())
	a.rec.update(a.ctl, profileOf(a.selectedNode), a.isSource(profileOf(a.selectedNode)))
	a.replay.refresh()
}

// statusNow updates the status bar at once, unpaced: after the user changed what
// the table shows, its counts answer them.
func (a *App) statusNow() {
	a.updateStatus()
	a.paced.flush()
}

func (a *App) setNotice(s string) { a.notice.SetText(s) }

func (a *App) updateButtons() {
	if a.paused {
		a.pause.SetText("Resume")
		a.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		a.pause.SetText("Pause")
		a.pause.SetIcon(theme.MediaPauseIcon())
	}
	if a.list.Following() {
		a.follow.Disable()
	} else {
		a.follow.Enable()
	}
	p := a.selectedProfile()
	a.tls.SetText("")
	switch {
	case p == nil:
		a.connect.SetText("Connect")
		a.connect.Disable()
	case a.ctl.Live(p.Name):
		a.connect.SetText("Disconnect")
		a.connect.SetIcon(theme.MediaStopIcon())
		a.connect.Enable()
	default:
		a.connect.SetText("Connect")
		a.connect.SetIcon(theme.MediaPlayIcon())
		a.connect.Enable()
	}
	if p != nil {
		if p.InsecureSkipVerify {
			a.tls.SetText("⚠ " + p.Name + ": TLS certificates NOT verified")
			a.tls.Importance = widget.WarningImportance
		} else if strings.HasPrefix(p.URL, "wss://") {
			a.tls.SetText("🔒 " + p.Name + ": TLS verified")
			a.tls.Importance = widget.SuccessImportance
		}
		a.tls.Refresh()
	}
}

func (a *App) selectedProfile() *session.Profile {
	if p, ok := a.ctl.Profile(profileOf(a.selectedNode)); ok {
		return &p
	}
	return nil
}

func (a *App) onScopeChanged(s Scope) {
	a.model.SetScope(s)
	a.list.Reset()
	a.scope.SetText(scopeText(s))
	// Scoped, the button is a loud "Only …" with a ✕ that widens it back (as Esc
	// does): short, so the filter beside it keeps its room at 1280 px.
	if s == (Scope{}) {
		a.scope.Importance = widget.LowImportance
		a.scope.SetIcon(theme.ListIcon())
	} else {
		a.scope.Importance = widget.HighImportance
		a.scope.SetIcon(theme.CancelIcon())
	}
	a.scope.Refresh()
	a.statusNow()
}

// toggleDetail folds the detail pane away, giving the table the width, or brings
// it back where it was.
func (a *App) toggleDetail() {
	if a.right.Visible() {
		a.split = a.centre.Offset
		a.right.Hide()
		a.centre.SetOffset(1)
	} else {
		a.right.Show()
		a.centre.SetOffset(max(a.split, 0.5))
	}
}

// scopeText names what the table shows.
func scopeText(s Scope) string {
	switch {
	case s.Profile == "":
		return "All profiles"
	case s.Sub == "":
		return "Only " + s.Profile
	}
	return "Only " + s.Profile + " #" + s.Sub
}

// showAllProfiles widens the table back to every profile (the All profiles
// entry, Escape in the table, the scope button).
func (a *App) showAllProfiles() {
	a.sidebar.Tree.UnselectAll()
	if a.model.Scope() != (Scope{}) {
		a.selectedNode = ""
		a.onScopeChanged(Scope{})
		a.updateButtons()
	}
}

func (a *App) onFilterChanged(text string) {
	q, err := query.Parse(text)
	if err != nil {
		a.setNotice(err.Error())
		return
	}
	a.setNotice("")
	a.model.SetQuery(q)
	a.list.Reset()
	a.statusNow()
}

func (a *App) onPauseTapped() {
	a.probe.input("pause")
	a.paused = !a.paused
	if !a.paused {
		a.advance() // what arrived meanwhile, unless the ring overran it (counted)
		a.heldCount = 0
		a.list.SetFollowing(true)
	}
	a.updateButtons()
	a.updateStatus()
}

// onClearTapped clears what the table shows: a profile's (or subscription's)
// events when one is selected, every event after a confirmation otherwise.
func (a *App) onClearTapped() {
	if sc := a.model.Scope(); sc != (Scope{}) {
		n := a.model.ClearScope()
		a.list.Reset()
		a.detail.Show(nil)
		a.setNotice(fmt.Sprintf("Cleared %s of %s; the other profiles' stay.", count(n, "event", "events"), strings.TrimPrefix(scopeText(sc), "Only ")))
		a.statusNow()
		return
	}
	if a.model.Stored() == 0 {
		return
	}
	n := a.model.Stored()
	d := dialog.NewConfirm("Clear every event?", fmt.Sprintf("The table holds %s %s of every profile. Clear them all?\n(Select a profile to clear only its events.)", thousands(n), plural(n, "event", "events")),
		func(ok bool) {
			if ok {
				a.clearAll()
			}
		}, a.win)
	// The buttons say what they do: "Yes" / "No" make one read the question again.
	d.SetDismissText("Keep them")
	d.SetConfirmText(fmt.Sprintf("Clear %s %s", thousands(n), plural(n, "event", "events")))
	a.dialogs.show(d)
}

func (a *App) clearAll() {
	a.model.Clear()
	a.heldCount, a.dropped = 0, 0
	a.list.Reset()
	a.detail.Show(nil)
	a.statusNow()
}

func (a *App) onConnectTapped() {
	p := a.selectedProfile()
	if p == nil {
		return
	}
	if a.ctl.Live(p.Name) {
		a.ctl.Disconnect(p.Name)
	} else if err := a.ctl.Connect(p.Name); err != nil {
		a.setNotice(fmt.Sprintf("%s: %v", p.Name, err))
	}
	a.refreshSide()
}

func (a *App) onDuplicateTapped() {
	p := a.selectedProfile()
	if p == nil {
		return
	}
	cp := *p
	cp.Subs = append([]json.RawMessage(nil), p.Subs...)
	for i := 2; ; i++ {
		cp.Name = fmt.Sprintf("%s-%d", p.Name, i)
		if !a.ctl.Has(cp.Name) {
			break
		}
	}
	a.editProfile(&cp)
}

func (a *App) onDeleteTapped() {
	p := a.selectedProfile()
	if p == nil {
		return
	}
	name := p.Name
	a.dialogs.show(dialog.NewConfirm("Delete profile", fmt.Sprintf("Delete %s? Its secrets are removed too.", name), func(ok bool) {
		if !ok {
			return
		}
		if err := a.ctl.Delete(name); err != nil {
			a.setNotice(err.Error())
		}
		a.sidebar.Tree.UnselectAll()
		a.refreshSide()
	}, a.win))
}

// editProfile opens the profile form; nil creates a new profile.
func (a *App) editProfile(p *session.Profile) {
	var orig session.Profile
	isNew := p == nil || !a.ctl.Has(p.Name)
	if p != nil {
		orig = *p
	} else {
		orig = session.Profile{Dialect: session.Dialects()[0]}
	}
	form := NewProfileForm(orig, func(name string) bool {
		return (isNew || name != orig.Name) && a.ctl.Has(name)
	}, a.ctl.SecretsWhere())
	var d dialog.Dialog
	demo := !isNew && a.ctl.IsDemo(orig.Name)
	asNew := false
	form.OnSave = func(np session.Profile) {
		old := orig.Name
		if isNew || asNew {
			old = ""
		}
		if asNew && np.Name == orig.Name {
			np.Name = orig.Name + " (mine)"
			for i := 2; a.ctl.Has(np.Name); i++ {
				np.Name = fmt.Sprintf("%s (mine %d)", orig.Name, i)
			}
		}
		asNew = false
		if err := a.ctl.Put(old, np); err != nil {
			form.Problem.SetText(err.Error())
			return
		}
		d.Hide()
		a.refreshSide()
	}
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	title := "New profile"
	if !isNew {
		title = "Edit " + orig.Name
	}
	buttons := container.NewHBox(layout.NewSpacer(), cancel, form.Save)
	var top fyne.CanvasObject
	if demo {
		// A demo profile is made again at every start (its port changes): edits
		// to it last until the app quits unless they go into a profile of their own.
		warn := widget.NewLabel("Demo profile: it is made again each time the demo starts, so changes here last only until you quit. Save as a new profile to keep them.")
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.WarningImportance
		top = warn
		saveNew := widget.NewButtonWithIcon("Save as new profile", theme.DocumentSaveIcon(), func() {
			asNew = true
			form.Save.OnTapped()
			asNew = false // a refused save leaves Save as it was
		})
		buttons = container.NewHBox(layout.NewSpacer(), cancel, saveNew, form.Save)
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(top, buttons, nil, nil, form.Content), a.win)
	d.Resize(fitToWindow(fyne.NewSize(760, 900), a.win))
	a.dialogs.show(d)
}

func (a *App) files() fileDialogs { return fileDialogs{win: a.win, prefs: a.fyne.Preferences()} }

func (a *App) onImportProfiles() {
	a.files().open(fileProfiles, "", []string{".json"}, func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		go func() { // the disk is not the UI's to wait on
			defer r.Close()
			added, total, err := a.ctl.ImportProfiles(r)
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(err, a.win)
					return
				}
				a.refreshSide()
				a.setNotice(fmt.Sprintf("Imported %d of %s (existing names and invalid ones skipped; secrets are never exported).",
					added, count(total, "profile", "profiles")))
			})
		}()
	})
}

func (a *App) onExportProfiles() {
	a.files().save(fileProfiles, fileName("profiles", time.Now(), ".json"), "", []string{".json"}, func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		go func() {
			n, err := a.ctl.ExportProfiles(w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(err, a.win)
					return
				}
				a.setNotice(fmt.Sprintf("Exported %s without their secrets.", count(n, "profile", "profiles")))
			})
		}()
	})
}

// onExportTapped writes the rows shown, in the background with progress.
func (a *App) onExportTapped() {
	events := a.list.Shown()
	if len(events) == 0 {
		a.setNotice("Nothing to export: no rows are shown.")
		return
	}
	what := "events"
	if sc := a.model.Scope(); sc.Profile != "" {
		what = sc.Profile
	}
	a.files().save(fileEvents, fileName(what, time.Now(), ".ndjson"), "", nil, func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		format := FormatNDJSON
		if strings.EqualFold(w.URI().Extension(), ".csv") {
			format = FormatCSV
		}
		run := newExportRun(len(events))
		d := dialog.NewCustomWithoutButtons(fmt.Sprintf("Exporting %s as %s", count(len(events), "event", "events"), format), container.NewVBox(run.bar, run.stop), a.win)
		d.Show()
		go func() {
			err := Export(w, format, events, func(n int) { fyne.Do(func() { run.bar.SetValue(float64(n)) }) }, run.cancel)
			cerr := w.Close()
			fyne.Do(func() {
				d.Hide()
				if err == nil {
					err = cerr
				}
				if err != nil {
					a.setNotice("Export failed: " + err.Error())
					return
				}
				a.setNotice(fmt.Sprintf("Exported %s to %s.", count(len(events), "event", "events"), w.URI().Name()))
			})
		}()
	})
}

// filterEntry is an Entry that hands Escape back to the app.
type filterEntry struct {
	widget.Entry
	onEscape func()
}

func newFilterEntry() *filterEntry {
	e := &filterEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey leaves the filter on Escape.
func (e *filterEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

func init() {
	log.SetFlags(log.Ltime)
	log.SetOutput(os.Stderr)
}
