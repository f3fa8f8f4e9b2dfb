package ui

import (
	"encoding/json"
	"fmt"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/hypothesis"
	"github.com/feedscope/feedscope/session/misskey"
)

// SubManager edits the selected profile's subscriptions with the dialect's form,
// lists them with their health, and holds the dialect's extra commands.
type SubManager struct {
	a       *App
	profile string
	dialect string
	subs    []session.Sub

	title   *widget.Label
	list    *widget.List
	form    SubForm
	formBox *fyne.Container
	editing string // our id of the subscription being edited; "" adds a new one
	mode    *widget.Label
	problem *widget.Label
	preview *widget.Label
	apply   *widget.Button
	extras  *fyne.Container
	reply   *widget.Label
	chart   *StatsChart
	Content fyne.CanvasObject
}

func newSubManager(a *App) *SubManager {
	m := &SubManager{a: a}
	m.title = widget.NewLabelWithStyle("Select a profile in the sidebar to manage its subscriptions.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.list = widget.NewList(func() int { return len(m.subs) }, m.createRow, m.updateRow)
	m.list.OnSelected = func(i widget.ListItemID) {
		if i < len(m.subs) {
			m.a.sidebar.Tree.Select(m.profile + subSep + m.subs[i].ID)
		}
	}
	m.formBox = container.NewVBox()
	m.mode = widget.NewLabelWithStyle("New subscription", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.problem = widget.NewLabel("")
	m.problem.Wrapping = fyne.TextWrapWord
	m.problem.Importance = widget.DangerImportance
	m.preview = widget.NewLabel("")
	m.preview.TextStyle = fyne.TextStyle{Monospace: true}
	m.preview.Wrapping = fyne.TextWrapBreak
	m.apply = widget.NewButtonWithIcon("Subscribe", theme.ConfirmIcon(), m.onApply)
	m.apply.Importance = widget.HighImportance
	newBtn := widget.NewButton("New", func() { m.edit("") })
	m.extras = container.NewHBox()
	m.reply = widget.NewLabel("")
	m.reply.Wrapping = fyne.TextWrapWord
	m.chart = NewStatsChart()
	m.chart.Hide()
	editor := container.NewVBox(container.NewBorder(nil, nil, m.mode, container.NewHBox(newBtn, m.apply)), m.formBox, m.problem,
		widget.NewLabel("Sends:"), m.preview)
	top := container.NewVBox(m.title, m.extras, m.reply, m.chart)
	split := container.NewVSplit(m.list, container.NewVScroll(editor))
	split.Offset = 0.35
	m.Content = container.NewBorder(top, nil, nil, nil, split)
	return m
}

func (m *SubManager) createRow() fyne.CanvasObject {
	dot := canvas.NewCircle(color.Transparent)
	title := widget.NewLabel("")
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	health := widget.NewLabel("")
	health.Truncation = fyne.TextTruncateEllipsis
	edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), nil)
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	history := widget.NewButton("History", nil)
	return container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), dot)),
		container.NewHBox(history, edit, remove), container.NewVBox(title, health))
}

func (m *SubManager) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(m.subs) {
		return
	}
	sub := m.subs[i]
	row := o.(*fyne.Container)
	texts := row.Objects[0].(*fyne.Container)
	dot := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	buttons := row.Objects[2].(*fyne.Container)
	texts.Objects[0].(*widget.Label).SetText("#" + sub.ID + "  " + DescribeSub(m.dialect, sub.Spec))
	texts.Objects[1].(*widget.Label).SetText(HealthLine(sub, m.a.health.Rates(m.profile, sub.ID)))
	dot.FillColor = theme.Color(subColor(sub.State))
	dot.Refresh()
	history := buttons.Objects[0].(*widget.Button)
	s, _ := misskey.ParseSub(sub.Spec)
	if m.dialect == misskey.Name && (s.Channel == "serverStats" || s.Channel == "queueStats") {
		history.Show()
		history.OnTapped = func() { m.requestLog(sub.ID) }
	} else {
		history.Hide()
	}
	buttons.Objects[1].(*widget.Button).OnTapped = func() { m.edit(sub.ID) }
	buttons.Objects[2].(*widget.Button).OnTapped = func() { m.remove(sub.ID) }
}

// SetProfile shows the named profile ("" for none).
func (m *SubManager) SetProfile(name string) {
	if name == m.profile {
		return
	}
	m.profile = name
	p := m.a.profileByName(name)
	m.extras.RemoveAll()
	m.reply.SetText("")
	m.chart.Hide()
	if p == nil {
		m.dialect, m.form = "", nil
		m.title.SetText("Select a profile in the sidebar to manage its subscriptions.")
		m.formBox.RemoveAll()
		m.Refresh()
		return
	}
	m.dialect = p.Dialect
	m.title.SetText(fmt.Sprintf("%s · %s subscriptions", p.Name, p.Dialect))
	m.form = NewSubForm(p.Dialect)
	m.form.SetOnChanged(m.check)
	m.formBox.RemoveAll()
	m.formBox.Add(m.form.Content())
	switch p.Dialect {
	case hypothesis.Name:
		m.extras.Add(widget.NewButton("Ping", func() { m.hypothesis(func(c *hypothesis.Client, w *session.Wire) { c.Ping(w) }) }))
		m.extras.Add(widget.NewButton("Who am I", func() { m.hypothesis(func(c *hypothesis.Client, w *session.Wire) { c.Whoami(w) }) }))
		m.extras.Add(widget.NewLabel("client_id is sent on every connect"))
	case misskey.Name:
		m.extras.Add(widget.NewButton("Mark notifications read", func() {
			m.misskey(func(c *misskey.Client, w *session.Wire) { c.ReadNotification(w) })
		}))
		m.extras.Add(widget.NewLabel("Watch a note: select a note in the table and press Watch this note."))
	}
	m.edit("")
	m.Refresh()
}

func (m *SubManager) hypothesis(f func(*hypothesis.Client, *session.Wire)) {
	if s := m.a.liveSession(m.profile); s != nil {
		s.Do(func(c session.Client, w *session.Wire) { f(c.(*hypothesis.Client), w) })
		return
	}
	m.reply.SetText(m.profile + " is not connected.")
}

func (m *SubManager) misskey(f func(*misskey.Client, *session.Wire)) {
	if s := m.a.liveSession(m.profile); s != nil {
		s.Do(func(c session.Client, w *session.Wire) { f(c.(*misskey.Client), w) })
		return
	}
	m.reply.SetText(m.profile + " is not connected.")
}

func (m *SubManager) requestLog(subID string) {
	m.misskey(func(c *misskey.Client, w *session.Wire) { c.RequestLog(w, subID, 50) })
	m.reply.SetText("Asked for the last 50 stats entries…")
}

// edit loads a subscription into the form ("" starts a new one).
func (m *SubManager) edit(id string) {
	if m.form == nil {
		return
	}
	m.editing = id
	m.mode.SetText("New subscription")
	m.apply.SetText("Subscribe")
	if id == "" {
		m.form.Load(defaultSpec(m.dialect))
	}
	for _, s := range m.subs {
		if s.ID == id {
			m.form.Load(s.Spec)
			m.mode.SetText("Editing #" + id + " (applying keeps the row)")
			m.apply.SetText("Apply")
		}
	}
	m.check()
}

// defaultSpec is what a new subscription form starts from.
func defaultSpec(dialect string) json.RawMessage {
	switch dialect {
	case hypothesis.Name:
		return json.RawMessage(`{"match_policy":"include_any","clauses":[{"field":"/group","value":["__world__"]}],"actions":{"create":true,"update":true,"delete":true}}`)
	case misskey.Name:
		return json.RawMessage(`{"channel":"localTimeline"}`)
	case "isymphony":
		return json.RawMessage(`[{"property":"type","value":"userLogin"},{"property":"type","value":"userLogout"}]`)
	}
	return json.RawMessage(`{}`)
}

// check validates the form as the user types and shows what would be sent.
func (m *SubManager) check() {
	if m.form == nil {
		return
	}
	spec, err := m.form.Spec()
	if err == nil {
		d, _ := session.Lookup(m.dialect)
		err = d.CheckSub(spec)
	}
	if err != nil {
		m.problem.SetText(err.Error())
		m.apply.Disable()
		m.preview.SetText("")
		return
	}
	m.problem.SetText("")
	m.apply.Enable()
	m.preview.SetText(Pretty(spec))
}

func (m *SubManager) onApply() {
	spec, err := m.form.Spec()
	if err != nil {
		return
	}
	if err := m.a.applySub(m.profile, m.editing, spec); err != nil {
		m.problem.SetText(err.Error())
		return
	}
	if m.editing == "" {
		m.reply.SetText("Subscribed: " + DescribeSub(m.dialect, spec))
	} else {
		m.reply.SetText("Applied to #" + m.editing)
	}
	m.Refresh()
}

func (m *SubManager) remove(id string) {
	m.a.removeSub(m.profile, id)
	if m.editing == id {
		m.edit("")
	}
	m.Refresh()
}

// Refresh reloads the subscription rows.
func (m *SubManager) Refresh() {
	m.subs = m.a.sidebar.subsOf(m.profile)
	m.list.Refresh()
}

// OnEvents shows replies that belong to the manager: pong, whoyouare,
// filterResponse, a stats log.
func (m *SubManager) OnEvents(batch []session.Event) {
	for i := range batch {
		e := &batch[i]
		if e.Profile != m.profile || e.Dir != session.DirIn {
			continue
		}
		switch e.Kind {
		case "pong":
			m.reply.SetText("Ping: " + e.Summary)
		case "whoyouare":
			m.reply.SetText("The server knows this socket as " + e.Summary)
		case "filterResponse", "subscribed":
			m.reply.SetText(e.Kind + ": " + e.Summary)
		case "statsLog":
			var env struct {
				Body struct {
					Body []json.RawMessage `json:"body"`
				} `json:"body"`
			}
			if json.Unmarshal(e.Raw, &env) == nil {
				m.chart.SetLog(env.Body.Body)
				m.chart.Show()
				m.reply.SetText("Stats history: " + strconv.Itoa(len(env.Body.Body)) + " entries, newest on the right (cpu %, memory used).")
			}
		}
	}
}
