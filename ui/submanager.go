package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// SubManager edits the selected profile's subscriptions with the dialect's form,
// lists them with their health, and holds the dialect's extra commands.
type SubManager struct {
	ctl     socketCommander
	health  *Health
	changed func()                   // after a subscription changed
	pick    func(profile, id string) // select a subscription in the sidebar
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
	reply   *tipLabel
	chart   *StatsChart
	split   *container.Split
	fitted  float64 // the split's offset as fitList last set it: a drag stops the fitting
	Content fyne.CanvasObject
}

func newSubManager(ctl socketCommander, health *Health, changed func(), pick func(profile, id string)) *SubManager {
	m := &SubManager{ctl: ctl, health: health, changed: changed, pick: pick}
	m.title = widget.NewLabelWithStyle("Select a profile in the sidebar to manage its subscriptions.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.list = widget.NewList(func() int { return len(m.subs) }, m.createRow, m.updateRow)
	m.list.OnSelected = func(i widget.ListItemID) {
		if i < len(m.subs) {
			m.pick(m.profile, m.subs[i].ID)
		}
	}
	m.formBox = container.NewVBox()
	m.mode = widget.NewLabelWithStyle("New subscription", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.problem = widget.NewLabel("")
	m.problem.Wrapping = fyne.TextWrapWord
	m.problem.Importance = widget.DangerImportance
	m.problem.Hide()
	m.preview = widget.NewLabel("")
	m.preview.TextStyle = fyne.TextStyle{Monospace: true}
	m.preview.Wrapping = fyne.TextWrapBreak
	m.apply = widget.NewButtonWithIcon("Subscribe", theme.ConfirmIcon(), m.onApply)
	m.apply.Importance = widget.HighImportance
	newBtn := widget.NewButton("New", func() { m.edit("") })
	m.extras = container.NewHBox()
	m.reply = newTipLabel("")
	m.reply.Hide()
	m.chart = NewStatsChart()
	m.chart.Hide()
	// The form scrolls between what must stay in view: what it edits and the
	// button above, the problem and what would be sent below.
	sends := container.NewVScroll(m.preview)
	sends.SetMinSize(fyne.NewSize(0, previewHeight()))
	editor := container.NewBorder(
		container.NewBorder(nil, nil, m.mode, container.NewHBox(newBtn, m.apply)),
		container.NewVBox(m.problem, container.NewBorder(nil, nil, widget.NewLabelWithStyle("Sends:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, sends)),
		nil, nil, formScroll(m.formBox))
	// A command's answer goes beside the commands, so the rows below stay put.
	top := container.NewVBox(m.title, container.NewBorder(nil, nil, m.extras, nil, m.reply), m.chart)
	m.split = container.NewVSplit(m.list, editor)
	m.split.Offset, m.fitted = 0.4, 0.4
	m.Content = container.NewBorder(top, nil, nil, nil, m.split)
	return m
}

// previewHeight holds three lines of what a subscription sends; more scroll.
func previewHeight() float32 {
	line := fyne.MeasureText("{", theme.TextSize(), fyne.TextStyle{Monospace: true}).Height
	return 3*line + 2*theme.InnerPadding()
}

// A subscription's row is one line: what it is, then its health, cut to fit and
// whole on hover, so several rows show at once.
func (m *SubManager) createRow() fyne.CanvasObject {
	dot := canvas.NewCircle(color.Transparent)
	title := newTipLabel("")
	title.TextStyle = fyne.TextStyle{Bold: true}
	health := newTipLabel("")
	edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), nil)
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	return container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), dot)),
		container.NewHBox(newSparkBars(healthSamples), container.NewHBox(), edit, remove), container.New(leadLayout{}, title, health))
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
	rates := m.health.Rates(m.profile, sub.ID)
	title, health := texts.Objects[0].(*tipLabel), texts.Objects[1].(*tipLabel)
	title.SetTip(SubTip(m.dialect, sub, rates))
	title.SetText("#" + sub.ID + "  " + DescribeSub(m.dialect, sub.Spec))
	health.SetText(HealthLine(sub, rates))
	buttons.Objects[0].(*sparkBars).SetRates(rates)
	texts.Refresh() // the title's share of the row follows its text
	dot.FillColor = theme.Color(subColor(sub.State))
	dot.Refresh()
	cmds := buttons.Objects[1].(*fyne.Container)
	cmds.RemoveAll()
	if d, ok := session.Lookup(m.dialect); ok {
		for _, cmd := range session.SubCommandsOf(d, sub.Spec, sub.ID) {
			cmds.Add(widget.NewButton(cmd.Label, func() { m.run(cmd) }))
		}
	}
	buttons.Objects[2].(*widget.Button).OnTapped = func() { m.edit(sub.ID) }
	buttons.Objects[3].(*widget.Button).OnTapped = func() { m.remove(sub.ID) }
}

// SetProfile shows the named profile ("" for none).
func (m *SubManager) SetProfile(name string) {
	if name == m.profile {
		return
	}
	m.profile = name
	p, ok := m.ctl.Profile(name)
	m.extras.RemoveAll()
	showText(&m.reply.Label, "")
	m.chart.Hide()
	if !ok {
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
	if d, ok := session.Lookup(p.Dialect); ok {
		for _, cmd := range session.CommandsOf(d) {
			if cmd.Run == nil {
				m.extras.Add(widget.NewLabel(cmd.Label))
				continue
			}
			m.extras.Add(widget.NewButton(cmd.Label, func() { m.run(cmd) }))
		}
	}
	m.edit("")
	m.Refresh()
}

// run runs one of the dialect's commands on the profile's session.
func (m *SubManager) run(cmd session.Command) {
	if err := m.ctl.Run(m.profile, cmd); err != nil {
		showText(&m.reply.Label, err.Error())
		return
	}
	showText(&m.reply.Label, cmd.Hint)
}

// edit loads a subscription into the form ("" starts a new one).
func (m *SubManager) edit(id string) {
	if m.form == nil {
		return
	}
	m.editing = id
	m.mode.SetText("New subscription")
	m.apply.SetText("Subscribe")
	if d, ok := session.Lookup(m.dialect); ok && id == "" {
		m.form.Load(session.DefaultSub(d))
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
		showText(m.problem, err.Error())
		m.apply.Disable()
		m.preview.SetText("")
		return
	}
	showText(m.problem, "")
	m.apply.Enable()
	m.preview.SetText(compactJSON(spec))
}

// showText sets a label that takes no room while it has nothing to say.
func showText(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func (m *SubManager) onApply() {
	spec, err := m.form.Spec()
	if err != nil {
		return
	}
	if m.editing == "" {
		_, err = m.ctl.Subscribe(m.profile, spec)
	} else {
		err = m.ctl.Replace(m.profile, m.editing, spec)
	}
	if err != nil {
		showText(m.problem, err.Error())
		return
	}
	m.changed()
	if m.editing == "" {
		showText(&m.reply.Label, "Subscribed: "+DescribeSub(m.dialect, spec))
	} else {
		showText(&m.reply.Label, "Applied to #"+m.editing)
	}
	m.Refresh()
}

func (m *SubManager) remove(id string) {
	if err := m.ctl.Unsubscribe(m.profile, id); err != nil {
		showText(&m.reply.Label, err.Error())
	}
	m.changed()
	if m.editing == id {
		m.edit("")
	}
	m.Refresh()
}

// Refresh reloads the subscription rows.
func (m *SubManager) Refresh() {
	m.subs = m.ctl.Subs(m.profile)
	m.list.Refresh()
	m.fitList()
}

// fitList gives the list room for its rows, two to six, and the form the rest,
// until the user drags the divider.
func (m *SubManager) fitList() {
	h := m.split.Size().Height
	if h <= 0 || m.split.Offset != m.fitted {
		return
	}
	row := m.list.MinSize().Height + theme.Padding()
	rows := min(max(len(m.subs), 2), 6)
	off := min(max(float64((float32(rows)*row+theme.Padding())/h), 0.15), 0.5)
	if off != m.split.Offset {
		m.split.SetOffset(off)
		m.fitted = m.split.Offset
	}
}

// OnReplies shows the answers to the manager's commands (a pong, a stats log), as
// the dialects read them.
func (m *SubManager) OnReplies(rs []reply) {
	for _, r := range rs {
		if r.profile != m.profile {
			continue
		}
		showText(&m.reply.Label, r.Text)
		if len(r.Series) > 0 {
			m.chart.SetSeries(r.Series)
			m.chart.Show()
		}
	}
}
