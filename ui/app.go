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
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/assets"
	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/tiles"
)

// AppID is the application's unique id (also in FyneApp.toml).
const AppID = "io.github.feedscope"

// Preference keys.
const (
	prefRingCap = "ringCap"
	prefTileURL = "tileURL"
)

// Options configure the app.
type Options struct {
	Demo    bool
	Version string
	// ManualDrain leaves moving events to the UI to Step, for tests.
	ManualDrain bool
	// Firehose (with Demo) streams one dialect's frames at Rate a second instead of
	// the demo's simulations, for the performance harness.
	Firehose string
	Rate     float64
	// Probe logs the UI's responsiveness every second (the harness reads it).
	Probe bool
}

// Settings are read once from preferences.
type Settings struct {
	RingCap int
}

// softMemoryLimit is the heap the collector aims to stay under (GOMEMLIMIT
// overrides it); above it, it collects more often rather than failing.
const softMemoryLimit = 320 << 20

// refreshEvery caps how often the table repaints.
const refreshEvery = time.Second / 30

// App is the main window and what it drives.
type App struct {
	fyne     fyne.App
	win      fyne.Window
	version  string
	settings Settings
	hub      *Hub
	store    *ProfileStore
	profiles []session.Profile
	demo     *demo.Server

	model   *Model
	list    *EventList
	detail  *Detail
	sidebar *Sidebar
	filter  *filterEntry
	status  *widget.Label
	notice  *widget.Label
	pause   *widget.Button
	follow  *widget.Button
	connect *widget.Button
	tls     *widget.Label

	selectedNode string
	paused       bool
	heldCount    uint64 // events that arrived while paused
	seenSeq      uint64 // the hub ring's sequence of the newest event handed to apply
	pauseSeq     uint64 // seenSeq when the view was paused
	dropped      uint64
	rates        map[string]float64
	states       map[string]ProfileState
	lastSide     time.Time
	health       *Health
	subs         *SubManager
	composer     *Composer
	watch        *widget.Button
	tabs         *container.AppTabs
	mapPanel     *MapPanel
	busy         atomic.Bool
	pump         pump
	probe        *probe
	opts         Options
	stop         chan struct{}
}

// Run opens the window and blocks until it closes.
func Run(o Options) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		// The table's events are most of the heap and live long: a soft limit makes
		// the collector keep RSS near what is retained instead of twice it.
		debug.SetMemoryLimit(softMemoryLimit)
	}
	a := app.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	root := a.Storage().RootURI().Path()
	fa, err := New(a, o, &ProfileStore{Path: filepath.Join(root, "profiles.json"), Secrets: OpenSecrets(root)})
	if err != nil {
		return err
	}
	fa.win.ShowAndRun()
	fa.Shutdown()
	return nil
}

// New builds the app's window on a (which may be a test app) without showing it.
func New(a fyne.App, o Options, store *ProfileStore) (*App, error) {
	fa := &App{fyne: a, version: o.Version, store: store, rates: map[string]float64{}, states: map[string]ProfileState{}, stop: make(chan struct{}), health: NewHealth()}
	fa.opts = o
	if o.Probe {
		fa.probe = newProbe()
	}
	fa.settings.RingCap = a.Preferences().IntWithFallback(prefRingCap, session.DefaultRingCap)
	fa.hub = NewHub(fa.settings.RingCap)
	fa.model = NewModel(fa.settings.RingCap)
	fa.win = a.NewWindow("Feedscope")
	fa.buildUI()
	fa.win.Resize(fyne.NewSize(1280, 800))
	fa.win.SetCloseIntercept(func() { fa.win.Close() })

	profiles, loadErr := store.Load()
	fa.profiles = profiles
	if loadErr != nil {
		fa.setNotice(loadErr.Error())
		log.Printf("feedscope: %v", loadErr)
	}
	if o.Demo {
		if err := fa.startDemo(); err != nil {
			return nil, err
		}
	}
	for _, p := range fa.profiles {
		if p.AutoConnect {
			fa.connectProfile(p)
		}
	}
	fa.refreshSide()
	if !o.ManualDrain {
		go fa.drain()
	}
	return fa, nil
}

// Window returns the main window.
func (a *App) Window() fyne.Window { return a.win }

// Shutdown closes every session and the demo server.
func (a *App) Shutdown() {
	select {
	case <-a.stop:
		return
	default:
	}
	close(a.stop)
	a.hub.CloseAll()
	if a.demo != nil {
		_ = a.demo.Close()
	}
}

// startDemo starts the embedded server and one ready profile per dialect; they are
// not saved, since the server's port changes every run.
func (a *App) startDemo() error {
	srv, err := demo.Start(demo.Options{Firehose: a.opts.Firehose, Rate: a.opts.Rate})
	if err != nil {
		return err
	}
	a.demo = srv
	for _, p := range srv.Profiles() {
		if a.opts.Firehose != "" && p.Dialect != a.opts.Firehose {
			continue
		}
		a.profiles = append(a.profiles, p)
		a.connectProfile(p)
	}
	return nil
}

func (a *App) isDemo(name string) bool {
	return a.demo != nil && strings.HasPrefix(name, "demo-")
}

func (a *App) buildUI() {
	a.list = NewEventList(a.model)
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
	a.sidebar = NewSidebar()
	a.sidebar.Tree.OnSelected = func(id widget.TreeNodeID) {
		a.selectedNode = id
		name, sub, _ := strings.Cut(id, subSep)
		a.onScopeChanged(Scope{Profile: name, Sub: sub})
		a.subs.SetProfile(name)
		a.composer.SetProfile(name)
		a.updateButtons()
	}
	a.sidebar.Tree.OnUnselected = func(widget.TreeNodeID) {
		a.selectedNode = ""
		a.onScopeChanged(Scope{})
		a.updateButtons()
	}

	a.filter = newFilterEntry()
	a.filter.SetPlaceHolder("filter: text  kind:note  profile:demo  dir:in  /regex/  -excluded")
	a.filter.OnChanged = a.onFilterChanged
	a.filter.onEscape = func() { a.win.Canvas().Focus(a.list) }

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

	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(add, a.connect, widget.NewSeparator(), a.pause, a.follow, clear),
		export, a.filter)
	side := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle("PROFILES", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		container.NewHBox(edit, dup, del), nil, nil, a.sidebar.Tree)
	a.tls = widget.NewLabel("")
	a.mapPanel = newMapPanel(a)
	a.subs = newSubManager(a)
	a.composer = newComposer(a)
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon("Events", theme.ListIcon(), a.list),
		container.NewTabItemWithIcon("Subscriptions", theme.SettingsIcon(), a.subs.Content),
		container.NewTabItemWithIcon("Composer", theme.MailComposeIcon(), a.composer.Content),
		container.NewTabItemWithIcon("Map", theme.GridIcon(), a.mapPanel.Content))
	tabs.OnSelected = func(*container.TabItem) { a.refreshSide() }
	a.tabs = tabs
	right := container.NewBorder(widget.NewLabelWithStyle("DETAIL", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), a.watch, nil, nil, a.detail.Content)
	centre := container.NewHSplit(tabs, right)
	centre.Offset = 0.74
	main := container.NewHSplit(side, centre)
	main.Offset = 0.2

	a.status = widget.NewLabel("")
	a.status.TextStyle = fyne.TextStyle{Monospace: true}
	a.notice = widget.NewLabel("")
	a.notice.Truncation = fyne.TextTruncateEllipsis
	bar := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	statusBar := container.NewStack(bar, container.NewBorder(nil, nil, a.status, a.tls, a.notice))

	a.win.SetContent(container.NewBorder(container.NewPadded(toolbar), statusBar, nil, nil, main))
	a.win.SetMainMenu(a.menu())
	a.addShortcuts()
	a.updateButtons()
	a.updateStatus()
}

func (a *App) menu() *fyne.MainMenu {
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			fyne.NewMenuItem("New profile…", func() { a.editProfile(nil) }),
			fyne.NewMenuItem("Import profiles…", a.onImportProfiles),
			fyne.NewMenuItem("Export profiles…", a.onExportProfiles),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Export events…", a.onExportTapped)),
		fyne.NewMenu("Edit",
			fyne.NewMenuItem("Settings…", a.showSettings)),
		fyne.NewMenu("View",
			fyne.NewMenuItem("Pause / resume", a.onPauseTapped),
			fyne.NewMenuItem("Follow newest", func() { a.list.SetFollowing(true) }),
			fyne.NewMenuItem("Clear", a.onClearTapped),
			fyne.NewMenuItem("Find…", func() { a.win.Canvas().Focus(a.filter) })),
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
	{fyne.KeyL, true, "Clear the table"},
	{fyne.KeyEscape, false, "Leave the filter"},
	{fyne.KeyEnd, false, "Follow the newest event (table)"},
}

func (a *App) addShortcuts() {
	actions := map[fyne.KeyName]func(){
		fyne.KeyF: func() { a.win.Canvas().Focus(a.filter) },
		fyne.KeyE: a.onExportTapped,
		fyne.KeyN: func() { a.editProfile(nil) },
		fyne.KeyL: a.onClearTapped,
	}
	for key, fn := range actions {
		a.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	a.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeySpace {
			a.onPauseTapped()
		}
	})
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
	items := []*widget.FormItem{
		{Text: "Events kept", Widget: capEntry, HintText: "the table's memory bound; applies from the next start"},
		{Text: "Map tiles", Widget: tileEntry, HintText: "URL template of the Map tab's Online map layer; respect the server's usage policy"},
	}
	dialog.ShowForm("Settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		n, _ := strconv.Atoi(strings.TrimSpace(capEntry.Text))
		a.settings.RingCap = n
		a.fyne.Preferences().SetInt(prefRingCap, n)
		a.fyne.Preferences().SetString(prefTileURL, strings.TrimSpace(tileEntry.Text))
		a.setNotice(fmt.Sprintf("Feedscope will keep %d events from the next start.", n))
	}, a.win)
}

func (a *App) showShortcuts() {
	var rows []fyne.CanvasObject
	for _, s := range shortcuts {
		key := string(s.key)
		if s.ctrl {
			key = "Ctrl+" + key
		}
		rows = append(rows, widget.NewLabelWithStyle(key, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}), widget.NewLabel(s.action))
	}
	dialog.ShowCustom("Keyboard shortcuts", "Close", container.NewGridWithColumns(2, rows...), a.win)
}

func (a *App) showAbout() {
	text := fmt.Sprintf("Feedscope %s\n\nWatch live WebSocket feeds: Hypothesis, Misskey, Palantir Gotham observations and iSymphony.\n\n"+
		"Built with Fyne, gorilla/websocket and paulmach/orb.\nBasemap data: Natural Earth (public domain).", a.version)
	dialog.ShowCustom("About Feedscope", "Close", container.NewVBox(widget.NewIcon(assets.Icon), widget.NewLabel(text)), a.win)
}

// drain moves events from the hub's ring to the UI, at most 30 times a second,
// never queuing a second update while one is pending: when the UI is slow, events
// wait in the ring, and whatever the ring drops meanwhile is counted and shown.
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
		update, n := a.pump.collect(a.hub, a.model.Cap())
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
	update, _ := a.pump.collect(a.hub, a.model.Cap())
	update(a)
}

// pump is the drain's state, owned by the drain goroutine.
type pump struct {
	last   uint64
	counts map[string]int
	rateAt time.Time
	phases map[string]string
}

// collect takes what arrived since the last cycle, off the UI goroutine, and
// returns the update to run on it.
func (p *pump) collect(h *Hub, capacity int) (func(*App), int) {
	if p.counts == nil {
		p.counts, p.phases, p.rateAt = map[string]int{}, map[string]string{}, time.Now()
	}
	batch, last, missed := h.Ring.Since(p.last, nil)
	p.last = last
	if over := len(batch) - capacity; over > 0 {
		batch = batch[over:]
		missed += uint64(over)
	}
	for i := range batch {
		p.counts[batch[i].Profile]++
	}
	states := h.States()
	logTransitions(states, p.phases)
	var rates map[string]float64
	if el := time.Since(p.rateAt); el >= time.Second {
		rates = make(map[string]float64, len(p.counts))
		for k, n := range p.counts {
			rates[k] = float64(n) / el.Seconds()
		}
		clear(p.counts)
		p.rateAt = time.Now()
	}
	return func(a *App) { a.seenSeq = last; a.apply(batch, missed, states, rates) }, len(batch)
}

// logTransitions writes each profile's state changes to stderr, for people running
// the app from a terminal (and the smoke test). No secrets reach these lines.
func logTransitions(states map[string]ProfileState, seen map[string]string) {
	for name, st := range states {
		key := st.Status.Phase + st.Status.Detail
		if seen[name] != key {
			seen[name] = key
			log.Printf("feedscope: %s: %s: %s", name, st.Status.Phase, st.Status.Detail)
		}
	}
}

// apply runs on the UI goroutine with one batch.
func (a *App) apply(batch []session.Event, lost uint64, states map[string]ProfileState, rates map[string]float64) {
	a.dropped += lost
	if states != nil {
		for name, st := range states {
			if old, ok := a.states[name]; (!ok || old.Status.Phase != st.Status.Phase) && problem(st.Status.Phase) {
				a.setNotice(name + ": " + st.Status.Detail)
			}
		}
		a.states = states
	}
	if rates != nil {
		a.rates = rates
	}
	if a.paused {
		// Held events stay in the hub's ring, not in a second copy: resume takes
		// them from there.
		a.heldCount += uint64(len(batch))
	} else if len(batch) > 0 {
		a.list.Appended(a.model.Append(batch))
	}
	a.subs.OnEvents(batch)
	a.mapPanel.OnEvents(batch)
	a.health.Sample(time.Now(), a.states)
	if time.Since(a.lastSide) > 250*time.Millisecond {
		a.refreshSide()
	}
	a.updateStatus()
}

// problem reports whether a phase is worth a sentence in the status bar.
func problem(phase string) bool {
	return phase == session.PhaseReconnecting || phase == session.PhaseRejected || phase == session.PhaseClosed
}

func (a *App) refreshSide() {
	a.lastSide = time.Now()
	a.sidebar.health = a.health
	a.sidebar.Update(a.profiles, a.states, a.rates)
	if a.subs != nil {
		a.subs.Refresh()
	}
	if a.mapPanel != nil && a.tabs != nil && a.tabs.Selected() != nil && a.tabs.Selected().Text == "Map" {
		a.mapPanel.Update(a.profiles, a.states)
	}
	a.updateButtons()
}

func (a *App) profileByName(name string) *session.Profile {
	if i := a.profileIndex(name); i >= 0 {
		return &a.profiles[i]
	}
	return nil
}

// liveSession returns the named profile's session when it has not ended.
func (a *App) liveSession(name string) *session.Session {
	if a.hub.Live(name) {
		return a.hub.Session(name)
	}
	return nil
}

// applySub subscribes anew (id "") or replaces subscription id, on the live session
// when there is one, and keeps the profile's saved subscriptions in step.
func (a *App) applySub(profile, id string, spec json.RawMessage) error {
	if id == "" {
		_, err := a.applyNewSub(profile, spec)
		return err
	}
	p := a.profileByName(profile)
	if p == nil {
		return fmt.Errorf("no profile %s", profile)
	}
	if s := a.liveSession(profile); s != nil {
		if err := s.Replace(id, spec); err != nil {
			return err
		}
	} else {
		i, err := strconv.Atoi(id)
		if err != nil || i < 1 || i > len(p.Subs) {
			return fmt.Errorf("no subscription #%s", id)
		}
		p.Subs[i-1] = spec
	}
	a.syncSubs(profile)
	return nil
}

// applyNewSub adds a subscription and returns its id.
func (a *App) applyNewSub(profile string, spec json.RawMessage) (string, error) {
	p := a.profileByName(profile)
	if p == nil {
		return "", fmt.Errorf("no profile %s", profile)
	}
	id := ""
	if s := a.liveSession(profile); s != nil {
		var err error
		if id, err = s.Subscribe(spec); err != nil {
			return "", err
		}
	} else {
		d, _ := session.Lookup(p.Dialect)
		if err := d.CheckSub(spec); err != nil {
			return "", err
		}
		if session.SingleSubscription(d) {
			p.Subs = nil // the new filter replaces the last
		}
		p.Subs = append(p.Subs, spec)
		id = strconv.Itoa(len(p.Subs))
	}
	a.syncSubs(profile)
	return id, nil
}

func (a *App) removeSub(profile, id string) {
	p := a.profileByName(profile)
	if p == nil {
		return
	}
	if s := a.liveSession(profile); s != nil {
		if err := s.Unsubscribe(id); err != nil {
			a.setNotice(err.Error())
		}
	} else if i, err := strconv.Atoi(id); err == nil && i >= 1 && i <= len(p.Subs) {
		p.Subs = append(p.Subs[:i-1], p.Subs[i:]...)
	}
	a.syncSubs(profile)
}

// syncSubs makes the saved profile hold the session's desired subscriptions, so
// they survive a restart, and refreshes what shows them.
func (a *App) syncSubs(profile string) {
	p := a.profileByName(profile)
	if p == nil {
		return
	}
	if s := a.liveSession(profile); s != nil {
		p.Subs = nil
		for _, sub := range s.Subs() {
			p.Subs = append(p.Subs, sub.Spec)
		}
		a.states[profile] = ProfileState{Connected: true, Status: s.Status(), Subs: s.Subs()}
	}
	a.save()
	a.refreshSide()
}

// selectTrackEvent selects the newest table row about subject key (a track).
func (a *App) selectTrackEvent(key, label string) {
	for i := a.model.Len() - 1; i >= 0; i-- {
		if e := a.model.Row(i); e.Key == key && e.Geo != nil {
			a.list.Select(i)
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
	mode := "following"
	switch {
	case a.paused:
		mode = fmt.Sprintf("paused · %d held", a.heldCount)
	case !a.list.Following():
		mode = "scrolled back"
	}
	s := fmt.Sprintf("%d profiles · %d open · %.0f ev/s · %d of %d kept · %d shown · %s",
		len(a.profiles), open, total, a.model.Stored(), a.model.Cap(), a.model.Len(), mode)
	if a.dropped > 0 {
		s += fmt.Sprintf(" · %d events dropped from view", a.dropped)
	}
	a.status.SetText(s)
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
	case a.hub.Live(p.Name):
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
	name := profileOf(a.selectedNode)
	for i := range a.profiles {
		if a.profiles[i].Name == name {
			return &a.profiles[i]
		}
	}
	return nil
}

func (a *App) onScopeChanged(s Scope) {
	a.model.SetScope(s)
	a.list.Reset()
	a.updateStatus()
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
	a.updateStatus()
}

func (a *App) onPauseTapped() {
	a.probe.input("pause")
	a.paused = !a.paused
	if a.paused {
		a.pauseSeq = a.seenSeq
	} else {
		held, last, missed := a.hub.Ring.Since(a.pauseSeq, nil)
		if extra := int(last - a.seenSeq); extra > 0 && extra <= len(held) {
			held = held[:len(held)-extra] // newer ones come with the next update
		}
		a.dropped += missed // the ring overran while paused
		a.list.Appended(a.model.Append(held))
		a.heldCount = 0
		a.list.SetFollowing(true)
	}
	a.updateButtons()
	a.updateStatus()
}

func (a *App) onClearTapped() {
	a.model.Clear()
	a.heldCount, a.dropped = 0, 0
	a.list.Reset()
	a.detail.Show(nil)
	a.updateStatus()
}

func (a *App) onConnectTapped() {
	p := a.selectedProfile()
	if p == nil {
		return
	}
	if a.hub.Live(p.Name) {
		name := p.Name
		go func() {
			a.hub.Disconnect(name)
			fyne.Do(func() { delete(a.states, name); a.refreshSide() })
		}()
		return
	}
	a.connectProfile(*p)
	a.refreshSide()
}

func (a *App) connectProfile(p session.Profile) {
	if err := a.hub.Connect(p); err != nil {
		a.setNotice(fmt.Sprintf("%s: %v", p.Name, err))
	}
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
		if a.profileIndex(cp.Name) < 0 {
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
	dialog.ShowConfirm("Delete profile", fmt.Sprintf("Delete %s? Its secrets are removed too.", name), func(ok bool) {
		if !ok {
			return
		}
		go a.hub.Disconnect(name)
		i := a.profileIndex(name)
		a.profiles = append(a.profiles[:i], a.profiles[i+1:]...)
		a.store.Forget(name)
		a.save()
		a.sidebar.Tree.UnselectAll()
		delete(a.states, name)
		a.refreshSide()
	}, a.win)
}

func (a *App) profileIndex(name string) int {
	for i, p := range a.profiles {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// editProfile opens the profile form; nil creates a new profile.
func (a *App) editProfile(p *session.Profile) {
	var orig session.Profile
	isNew := p == nil || a.profileIndex(p.Name) < 0
	if p != nil {
		orig = *p
	} else {
		orig = session.Profile{Dialect: session.Dialects()[0]}
	}
	form := NewProfileForm(orig, func(name string) bool {
		return (isNew || name != orig.Name) && a.profileIndex(name) >= 0
	}, a.store.Secrets.Where())
	var d dialog.Dialog
	form.OnSave = func(np session.Profile) {
		if i := a.profileIndex(orig.Name); !isNew && i >= 0 {
			a.profiles[i] = np
			if np.Name != orig.Name {
				a.store.Forget(orig.Name)
			}
		} else {
			a.profiles = append(a.profiles, np)
		}
		a.save()
		d.Hide()
		if a.hub.Session(orig.Name) != nil || np.AutoConnect {
			old := orig.Name
			go func() {
				a.hub.Disconnect(old)
				fyne.Do(func() { a.connectProfile(np); a.refreshSide() })
			}()
		}
		a.refreshSide()
	}
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	title := "New profile"
	if !isNew {
		title = "Edit " + orig.Name
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, form.Save), nil, nil, form.Content), a.win)
	d.Resize(fyne.NewSize(640, 620))
	d.Show()
}

// save writes the non-demo profiles.
func (a *App) save() {
	var keep []session.Profile
	for _, p := range a.profiles {
		if !a.isDemo(p.Name) {
			keep = append(keep, p)
		}
	}
	if err := a.store.Save(keep); err != nil {
		a.setNotice(err.Error())
	}
}

func (a *App) onImportProfiles() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		var f profileFile
		if err := json.NewDecoder(r).Decode(&f); err != nil {
			dialog.ShowError(fmt.Errorf("that file is not a Feedscope profiles export: %w", err), a.win)
			return
		}
		added := 0
		for _, p := range f.Profiles {
			if p.Validate() != nil || a.profileIndex(p.Name) >= 0 {
				continue
			}
			a.profiles = append(a.profiles, p)
			added++
		}
		a.save()
		a.refreshSide()
		a.setNotice(fmt.Sprintf("Imported %d of %d profiles (existing names and invalid ones skipped; secrets are never exported).", added, len(f.Profiles)))
	}, a.win)
}

func (a *App) onExportProfiles() {
	dialog.ShowFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		var keep []session.Profile
		for _, p := range a.profiles {
			if !a.isDemo(p.Name) {
				keep = append(keep, p)
			}
		}
		sort.Slice(keep, func(i, j int) bool { return keep[i].Name < keep[j].Name })
		b, _ := json.MarshalIndent(profileFile{Version: 1, Profiles: keep}, "", "  ")
		if _, err := w.Write(b); err != nil {
			dialog.ShowError(err, a.win)
			return
		}
		a.setNotice(fmt.Sprintf("Exported %d profiles without their secrets.", len(keep)))
	}, a.win)
}

// onExportTapped writes the rows shown, in the background with progress.
func (a *App) onExportTapped() {
	events := a.model.Visible()
	if len(events) == 0 {
		a.setNotice("Nothing to export: no rows are shown.")
		return
	}
	dialog.ShowFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		format := FormatNDJSON
		if strings.EqualFold(w.URI().Extension(), ".csv") {
			format = FormatCSV
		}
		bar := widget.NewProgressBar()
		bar.Max = float64(len(events))
		cancel := make(chan struct{})
		var d dialog.Dialog
		stop := widget.NewButton("Cancel", func() { close(cancel) })
		d = dialog.NewCustomWithoutButtons(fmt.Sprintf("Exporting %d events as %s", len(events), format), container.NewVBox(bar, stop), a.win)
		d.Show()
		go func() {
			err := Export(w, format, events, func(n int) { fyne.Do(func() { bar.SetValue(float64(n)) }) }, cancel)
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
				a.setNotice(fmt.Sprintf("Exported %d events to %s.", len(events), w.URI().Name()))
			})
		}()
	}, a.win)
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

// subsOf is the named profile's subscription table.
func (a *App) subsOf(name string) []session.Sub { return a.sidebar.subsOf(name) }
