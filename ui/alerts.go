package ui

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/watch"
)

// maxAlerts bounds the Alerts list; older alerts stay in the table.
const maxAlerts = 1000

// notifyEvery is the least time between two desktop notifications: the rules
// limit themselves, and this keeps many rules together from storming the desktop.
const notifyEvery = 5 * time.Second

// AlertsPanel is the Alerts tab: every alert the watch rules raised, newest
// first; choosing one shows it (and its cause) in the detail pane and, for a
// geofence, on the map.
type AlertsPanel struct {
	List    *widget.List
	Content fyne.CanvasObject
	alerts  []session.Event // newest first
	total   int
	// OnChosen is called with the chosen alert.
	OnChosen func(*session.Event)
	// Notify sends a desktop notification.
	Notify func(title, body string)

	lastNotice time.Time
	unnotified int
	header     *widget.Label
}

func newAlertsPanel(editRules func()) *AlertsPanel {
	p := &AlertsPanel{header: widget.NewLabel("No alerts yet: add watch rules to be told when something happens.")}
	p.List = widget.NewList(func() int { return len(p.alerts) },
		func() fyne.CanvasObject {
			when := widget.NewLabelWithStyle("00:00:00", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			rule := widget.NewLabelWithStyle("rule", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			text := widget.NewLabel("")
			text.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.WarningIcon()), when, rule), nil, text)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.alerts) {
				return
			}
			e := &p.alerts[i]
			b := o.(*fyne.Container)
			left := b.Objects[1].(*fyne.Container)
			left.Objects[1].(*widget.Label).SetText(e.Time.Local().Format("15:04:05"))
			rule, text := splitAlert(e.Summary)
			left.Objects[2].(*widget.Label).SetText(rule)
			b.Objects[0].(*widget.Label).SetText(e.Profile + " · " + e.Kind + " · " + text)
		})
	p.List.OnSelected = func(i widget.ListItemID) {
		if i < len(p.alerts) && p.OnChosen != nil {
			e := p.alerts[i]
			p.OnChosen(&e)
		}
	}
	rules := widget.NewButtonWithIcon("Watch rules…", theme.SettingsIcon(), editRules)
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), func() {
		p.alerts, p.total = nil, 0
		p.List.UnselectAll()
		p.List.Refresh()
		p.updateHeader()
	})
	p.Content = container.NewBorder(container.NewBorder(nil, nil, nil, container.NewHBox(rules, clear), p.header), nil, nil, nil, p.List)
	return p
}

// splitAlert splits an alert's summary into its rule and what happened.
func splitAlert(summary string) (rule, text string) {
	for i := 0; i+1 < len(summary); i++ {
		if summary[i] == ':' && summary[i+1] == ' ' {
			return summary[:i], summary[i+2:]
		}
	}
	return "", summary
}

// OnEvents takes the alerts out of a batch, and notifies the desktop of them at
// most once per notifyEvery.
func (p *AlertsPanel) OnEvents(batch []session.Event) {
	var fresh []session.Event
	for i := range batch {
		if batch[i].Dir == watch.DirAlert {
			fresh = append(fresh, batch[i])
		}
	}
	if len(fresh) == 0 {
		return
	}
	for i, j := 0, len(fresh)-1; i < j; i, j = i+1, j-1 {
		fresh[i], fresh[j] = fresh[j], fresh[i]
	}
	p.alerts = append(fresh, p.alerts...)
	if len(p.alerts) > maxAlerts {
		p.alerts = p.alerts[:maxAlerts]
	}
	p.total += len(fresh)
	p.List.Refresh()
	p.updateHeader()
	p.unnotified += len(fresh)
	if p.Notify != nil && time.Since(p.lastNotice) >= notifyEvery {
		rule, text := splitAlert(fresh[0].Summary)
		if p.unnotified > 1 {
			text += fmt.Sprintf(" (+%d more)", p.unnotified-1)
		}
		p.Notify("Feedscope: "+rule, text)
		p.lastNotice, p.unnotified = time.Now(), 0
	}
}

// Count is how many alerts arrived since the list was cleared.
func (p *AlertsPanel) Count() int { return p.total }

func (p *AlertsPanel) updateHeader() {
	switch p.total {
	case 0:
		p.header.SetText("No alerts yet: add watch rules to be told when something happens.")
	case 1:
		p.header.SetText("1 alert")
	default:
		p.header.SetText(strconv.Itoa(p.total) + " alerts")
	}
}

// rulesEditor lists a profile's watch rules, adds and removes them.
type rulesEditor struct {
	ctl     ruleKeeper
	win     fyne.Window
	notice  func(string)
	profile *widget.Select
	list    *widget.List
	empty   *widget.Label // over the list when the profile has no rules
	rules   []watch.Rule
}

// ruleArgs says what each kind of rule the editor adds takes, as the argument
// entry's placeholder and the line under it.
var ruleArgs = map[string][2]string{
	watch.KindMatch:   {"a filter, e.g. kind:data \"Potomac Belle\"", "Match: any event the filter (the table's syntax) lets through raises an alert."},
	watch.KindSilence: {"seconds, e.g. 30", "Silence: the profile receives nothing for that many seconds."},
	watch.KindState:   {"rejected or reconnecting", "State: the profile is refused by its server, or keeps reconnecting."},
}

// ruleKeeper is what the editor needs of the controller.
type ruleKeeper interface {
	Rules(profile string) []watch.Rule
	SetRules(profile string, rules []watch.Rule) error
}

func showRulesEditor(ctl ruleKeeper, profiles []string, current string, win fyne.Window, show func(dialog.Dialog), notice func(string)) {
	e := &rulesEditor{ctl: ctl, win: win, notice: notice}
	e.list = widget.NewList(func() int { return len(e.rules) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.DeleteIcon(), nil), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			b := o.(*fyne.Container)
			b.Objects[0].(*widget.Label).SetText(describeRule(e.rules[i]))
			b.Objects[1].(*widget.Button).OnTapped = func() { e.remove(i) }
		})
	e.profile = widget.NewSelect(profiles, func(string) { e.reload() })
	name := widget.NewEntry()
	name.SetPlaceHolder("name, e.g. Belle seen")
	arg := widget.NewEntry()
	help := widget.NewLabel("")
	help.Wrapping = fyne.TextWrapWord
	kind := widget.NewSelect([]string{watch.KindMatch, watch.KindSilence, watch.KindState}, func(k string) {
		arg.SetPlaceHolder(ruleArgs[k][0])
		help.SetText(ruleArgs[k][1] + " Geofences are drawn on the map: draw a polygon, then Watch polygon.")
	})
	kind.SetSelected(watch.KindMatch)
	e.empty = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	add := widget.NewButtonWithIcon("Add rule", theme.ContentAddIcon(), func() {
		r := watch.Rule{Name: name.Text, Kind: kind.Selected}
		switch kind.Selected {
		case watch.KindMatch:
			r.Filter = arg.Text
		case watch.KindSilence:
			f, err := strconv.ParseFloat(arg.Text, 64)
			if err != nil {
				dialog.ShowError(fmt.Errorf("a silence rule takes the seconds without events, e.g. 30"), win)
				return
			}
			r.ForS = f
		case watch.KindState:
			r.When = arg.Text
		}
		if err := e.set(append(e.rules, r)); err != nil {
			dialog.ShowError(err, win)
			return
		}
		name.SetText("")
		arg.SetText("")
	})
	form := container.NewVBox(
		widget.NewSeparator(),
		container.NewBorder(nil, nil, kind, add, container.NewGridWithColumns(2, name, arg)),
		help)
	content := container.NewBorder(container.NewBorder(nil, nil, widget.NewLabel("Profile"), nil, e.profile), form, nil, nil,
		container.NewStack(e.list, container.NewCenter(e.empty)))
	d := dialog.NewCustom("Watch rules", "Close", content, win)
	d.Resize(fitToWindow(fyne.NewSize(760, 460), win))
	if current == "" && len(profiles) > 0 {
		current = profiles[0]
	}
	e.profile.SetSelected(current)
	show(d)
}

func (e *rulesEditor) reload() {
	e.rules = e.ctl.Rules(e.profile.Selected)
	e.list.Refresh()
	if len(e.rules) == 0 {
		e.empty.SetText(e.profile.Selected + " has no watch rules yet: add one below.")
		e.empty.Show()
	} else {
		e.empty.Hide()
	}
}

func (e *rulesEditor) set(rules []watch.Rule) error {
	if err := e.ctl.SetRules(e.profile.Selected, rules); err != nil {
		return err
	}
	e.reload()
	e.notice(fmt.Sprintf("%s has %d watch rules.", e.profile.Selected, len(e.rules)))
	return nil
}

func (e *rulesEditor) remove(i int) {
	if i >= len(e.rules) {
		return
	}
	rules := append(append([]watch.Rule(nil), e.rules[:i]...), e.rules[i+1:]...)
	if err := e.set(rules); err != nil {
		dialog.ShowError(err, e.win)
	}
}

// describeRule says what a rule watches, in a line.
func describeRule(r watch.Rule) string {
	switch r.Kind {
	case watch.KindMatch:
		return r.Name + " — an event matches " + r.Filter
	case watch.KindGeofence:
		what := map[string]string{watch.OnLeave: "leaves", watch.OnBoth: "enters or leaves"}[r.On]
		if what == "" {
			what = "enters"
		}
		return fmt.Sprintf("%s — a track %s a polygon of %d points", r.Name, what, len(r.Polygon))
	case watch.KindSilence:
		if r.MinRate > 0 {
			return fmt.Sprintf("%s — fewer than %g events/s", r.Name, r.MinRate)
		}
		return fmt.Sprintf("%s — nothing for %g s", r.Name, r.ForS)
	case watch.KindState:
		return r.Name + " — the profile is " + r.When
	}
	return r.Name
}

// editRules opens the watch rules of the profile selected in the sidebar (or the
// first one).
func (a *App) editRules() {
	var names []string
	for _, p := range a.ctl.Profiles() {
		names = append(names, p.Name)
	}
	if len(names) == 0 {
		a.setNotice("Add a profile first: watch rules are saved with a profile.")
		return
	}
	current := ""
	if p := a.selectedProfile(); p != nil {
		current = p.Name
	}
	showRulesEditor(a.ctl, names, current, a.win, a.dialogs.show, a.setNotice)
}

// onAlertChosen shows an alert and what caused it in the detail pane, and a
// geofence's track on the map.
func (a *App) onAlertChosen(e *session.Event) {
	a.detail.Show(e)
	if e.Kind == watch.KindGeofence && e.Geo != nil && a.mapPanel != nil {
		a.mapPanel.Map.CenterOn(orb.Point{e.Geo.Lon, e.Geo.Lat}, math.Max(a.mapPanel.Map.Scene.View.Zoom, 14))
		if k, ok := trackKeyOf(e); ok {
			a.mapPanel.Map.Scene.Selected = k
		}
		for _, t := range a.tabs.Items {
			if t.Text == "Map" {
				a.tabs.Select(t)
			}
		}
		a.mapPanel.Map.Refresh()
	}
}
