package ui

import (
	"encoding/json"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
)

// Sidebar lists profiles, each with its state and its subscriptions under it.
// Selecting a node narrows the event table to it.
type Sidebar struct {
	Tree *widget.Tree

	profiles []session.Profile
	states   map[string]control.State
	rates    map[string]float64
	health   *Health
	// IsSource tells an opened recording from a live profile: a recording closed at
	// its clock's moment ("nothing recorded yet") is not in trouble.
	IsSource func(name string) bool
}

const subSep = "\x00"

// NewSidebar builds the tree.
func NewSidebar() *Sidebar {
	s := &Sidebar{states: map[string]control.State{}, rates: map[string]float64{}}
	s.Tree = widget.NewTree(s.children, s.branch, s.create, s.update)
	return s
}

// Update replaces what the sidebar shows.
func (s *Sidebar) Update(profiles []session.Profile, states map[string]control.State, rates map[string]float64) {
	known := map[string]bool{}
	for _, p := range s.profiles {
		known[p.Name] = true
	}
	s.profiles, s.states, s.rates = profiles, states, rates
	s.Tree.Refresh()
	for _, p := range profiles {
		if !known[p.Name] {
			s.Tree.OpenBranch(p.Name) // show a new profile's subscriptions
		}
	}
}

// profileOf returns the profile a tree node belongs to ("" for none).
func profileOf(node widget.TreeNodeID) string {
	name, _, _ := strings.Cut(node, subSep)
	return name
}

func (s *Sidebar) children(id widget.TreeNodeID) []widget.TreeNodeID {
	if id == "" {
		ids := make([]string, len(s.profiles))
		for i, p := range s.profiles {
			ids[i] = p.Name
		}
		sort.Strings(ids)
		return ids
	}
	if strings.Contains(id, subSep) {
		return nil
	}
	var ids []string
	for _, sub := range s.subsOf(id) {
		ids = append(ids, id+subSep+sub.ID)
	}
	return ids
}

// subsOf returns the named profile's subscription table, as its session keeps it
// (connected or not).
func (s *Sidebar) subsOf(name string) []session.Sub { return s.states[name].Subs }

func (s *Sidebar) branch(id widget.TreeNodeID) bool {
	return id == "" || !strings.Contains(id, subSep) && len(s.subsOf(id)) > 0
}

func (s *Sidebar) create(bool) fyne.CanvasObject {
	dot := canvas.NewCircle(color.Transparent)
	return container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), dot)), newSparkBars(12), newTipLabel(""))
}

func (s *Sidebar) update(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	row := o.(*fyne.Container)
	label := row.Objects[0].(*tipLabel)
	dot := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	spark := row.Objects[2].(*sparkBars)
	spark.Hide()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	th := fyne.CurrentApp().Settings().Theme()
	name, subID, isSub := strings.Cut(id, subSep)
	if isSub {
		for _, sub := range s.subsOf(name) {
			if sub.ID == subID {
				var rates []float64
				if s.health != nil {
					rates = s.health.Rates(name, sub.ID)
				}
				label.SetTip(SubTip(s.dialectOf(name), sub, rates))
				if len(rates) > 0 {
					spark.SetRates(rates)
					spark.Show()
				}
				label.SetText(SubLine(s.dialectOf(name), sub, rates))
				dot.FillColor = th.Color(subColor(sub.State), v)
			}
		}
		label.Importance = widget.MediumImportance
		dot.Refresh()
		return
	}
	var p session.Profile
	for _, q := range s.profiles {
		if q.Name == name {
			p = q
		}
	}
	text, colour := ProfileLine(p, s.states[name], s.rates[name])
	if s.IsSource != nil && s.IsSource(name) && s.states[name].Status.Phase == session.PhaseClosed {
		colour = theme.ColorNameDisabled
	}
	label.SetTip(ProfileTip(p, s.states[name], s.rates[name]))
	label.SetText(text)
	label.Importance = widget.MediumImportance
	if p.InsecureSkipVerify {
		label.Importance = widget.WarningImportance
	}
	label.Refresh()
	dot.FillColor = th.Color(colour, v)
	dot.Refresh()
}

// ProfileLine is a profile's sidebar text and dot colour.
func ProfileLine(p session.Profile, st control.State, rate float64) (string, fyne.ThemeColorName) {
	text := p.Name
	if p.InsecureSkipVerify {
		text += "  ⚠ TLS not verified"
	}
	if !st.Live && st.Status.Phase == session.PhaseClosed && (st.Status.Detail == "" || st.Status.Detail == session.DetailClosedByUser) {
		return text + " · not connected", theme.ColorNameDisabled
	}
	switch st.Status.Phase {
	case session.PhaseOpen:
		return fmt.Sprintf("%s · open · %.0f ev/s", text, rate), theme.ColorNameSuccess
	case session.PhaseConnecting:
		return text + " · connecting", theme.ColorNameWarning
	case session.PhaseReconnecting:
		// The time of the next attempt holds still where a countdown would
		// change the line every second.
		if st.Status.RetryAt.IsZero() || time.Until(st.Status.RetryAt) < time.Second {
			return text + " · reconnecting", theme.ColorNameWarning
		}
		return text + " · retry at " + st.Status.RetryAt.Local().Format("15:04:05"), theme.ColorNameWarning
	case session.PhaseRejected:
		return text + " · " + st.Status.Detail, theme.ColorNameError
	}
	return text + " · closed: " + st.Status.Detail, theme.ColorNameError
}

// ProfileTip is all of a profile's state, which its line may cut ("rejected:
// 401 in…"): the line, then the state's whole reason.
func ProfileTip(p session.Profile, st control.State, rate float64) string {
	text, _ := ProfileLine(p, st, rate)
	if st.Status.Detail != "" && st.Status.Phase != session.PhaseRejected {
		text += "\n" + StateText(st.Status)
	}
	if n := st.Status.Reconnects; n > 0 {
		text += fmt.Sprintf("\nreconnected %d %s since connecting", n, plural(n, "time", "times"))
	}
	return text
}

func (s *Sidebar) dialectOf(name string) string {
	for _, p := range s.profiles {
		if p.Name == name {
			return p.Dialect
		}
	}
	return ""
}

// SubLine describes one subscription: what it is, its state, rate and counters.
func SubLine(dialect string, sub session.Sub, rates []float64) string {
	s := fmt.Sprintf("#%s %s · %s", sub.ID, fit(DescribeSub(dialect, sub.Spec), 36), sub.State)
	if sub.Error != "" {
		s += ": " + fit(sub.Error, 60)
	}
	if n := len(rates); n > 0 {
		s += fmt.Sprintf(" · %.1f/s", rates[n-1])
	} else if sub.Events > 0 {
		s += fmt.Sprintf(" · %d ev", sub.Events)
	}
	if sub.Replays > 0 {
		s += fmt.Sprintf(" · ↻%d", sub.Replays)
	}
	return s
}

// StateText is a state in words, "phase: why", the phase said once when the
// reason starts with it ("rejected: 401 …", not "rejected: rejected: 401 …").
func StateText(st session.Status) string {
	if st.Detail == "" {
		return st.Phase
	}
	if strings.HasPrefix(st.Detail, st.Phase) {
		return st.Detail
	}
	return st.Phase + ": " + st.Detail
}

// SubTip is a subscription's line uncut: the whole description, its error and
// its health.
func SubTip(dialect string, sub session.Sub, rates []float64) string {
	return "#" + sub.ID + " " + DescribeSub(dialect, sub.Spec) + "\n" + HealthLine(sub, rates)
}

func subColor(state string) fyne.ThemeColorName {
	switch state {
	case session.SubLive:
		return theme.ColorNameSuccess
	case session.SubError:
		return theme.ColorNameError
	case session.SubOffline:
		return theme.ColorNameDisabled
	}
	return theme.ColorNameWarning
}

// DescribeSub says in a few words what a native subscription asks for, in the
// words of its dialect.
func DescribeSub(dialect string, spec json.RawMessage) string {
	if d, ok := session.Lookup(dialect); ok {
		return session.DescribeSub(d, spec)
	}
	return fit(string(spec), 60)
}
