package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

const composerHistory = 50

// Composer writes raw client messages for the selected profile: templates of every
// message type, parse errors at line and column as you type, the dialect's shape
// check, a history and saved messages.
type Composer struct {
	ctl     socketCommander
	prefs   fyne.Preferences
	changed func() // after a message became a subscription
	profile string
	dialect session.Dialect

	title     *widget.Label
	templates *widget.Select
	editor    *widget.Entry
	status    *widget.Label
	send      *widget.Button
	sendRaw   *widget.Button
	history   []string
	histList  *widget.List
	saved     map[string]string
	savedSel  *widget.Select
	saveName  *widget.Entry
	Content   fyne.CanvasObject
}

func newComposer(ctl socketCommander, prefs fyne.Preferences, changed func()) *Composer {
	c := &Composer{ctl: ctl, prefs: prefs, changed: changed, saved: map[string]string{}}
	c.title = widget.NewLabelWithStyle("Select a profile to compose messages for it.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.templates = widget.NewSelect(nil, c.onTemplate)
	c.templates.PlaceHolder = "Template…"
	c.editor = widget.NewMultiLineEntry()
	c.editor.TextStyle = fyne.TextStyle{Monospace: true}
	c.editor.SetMinRowsVisible(8)
	c.editor.OnChanged = func(string) { c.check() }
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord
	c.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), func() { c.onSend(false) })
	c.send.Importance = widget.HighImportance
	// Offered only when the check finds something wrong: a message that looks
	// right has one way to go, Send.
	c.sendRaw = widget.NewButtonWithIcon("Send anyway (unchecked)", theme.WarningIcon(), func() { c.onSend(true) })
	c.sendRaw.Importance = widget.WarningImportance
	c.sendRaw.Hide()
	c.histList = widget.NewList(func() int { return len(c.history) },
		func() fyne.CanvasObject {
			l := newTipLabel("")
			l.TextStyle = fyne.TextStyle{Monospace: true}
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*tipLabel).SetText(c.history[i]) })
	c.histList.OnSelected = func(i widget.ListItemID) {
		c.editor.SetText(Pretty([]byte(c.history[i])))
		c.histList.UnselectAll()
	}
	c.savedSel = widget.NewSelect(nil, func(name string) {
		if m, ok := c.saved[name]; ok {
			c.editor.SetText(Pretty([]byte(m)))
		}
	})
	c.savedSel.PlaceHolder = "Saved messages…"
	c.saveName = widget.NewEntry()
	c.saveName.SetPlaceHolder("name")
	save := widget.NewButtonWithIcon("Save as", theme.DocumentSaveIcon(), c.onSaveNamed)
	top := container.NewVBox(c.title, container.NewGridWithColumns(2, c.templates, c.savedSel))
	buttons := container.NewHBox(c.send, c.sendRaw, widget.NewSeparator(), container.NewGridWrap(fyne.NewSize(160, c.saveName.MinSize().Height), c.saveName), save)
	editor := container.NewBorder(nil, container.NewVBox(c.status, buttons), nil, nil, c.editor)
	hist := container.NewBorder(widget.NewLabel("Sent (newest first; tap to load)"), nil, nil, nil, c.histList)
	split := container.NewVSplit(editor, hist)
	split.Offset = 0.6
	c.Content = container.NewBorder(top, nil, nil, nil, split)
	c.check()
	return c
}

// SetProfile switches the composer to the named profile ("" for none).
func (c *Composer) SetProfile(name string) {
	if name == c.profile {
		return
	}
	c.profile = name
	p, ok := c.ctl.Profile(name)
	c.dialect = nil
	c.templates.Options = nil
	if ok {
		c.dialect, _ = session.Lookup(p.Dialect)
		c.title.SetText(fmt.Sprintf("Compose for %s (%s)", p.Name, p.Dialect))
		for _, t := range c.dialect.Templates() {
			c.templates.Options = append(c.templates.Options, t.Name)
		}
		c.loadPrefs()
	} else {
		c.title.SetText("Select a profile to compose messages for it.")
	}
	c.templates.ClearSelected()
	c.templates.Refresh()
	c.check()
}

func (c *Composer) prefKey(what string) string {
	if what == "saved" && c.dialect != nil {
		return "composer.saved." + c.dialect.Name()
	}
	return "composer.history." + c.profile
}

func (c *Composer) loadPrefs() {
	prefs := c.prefs
	c.history = nil
	_ = json.Unmarshal([]byte(prefs.String(c.prefKey("history"))), &c.history)
	c.saved = map[string]string{}
	_ = json.Unmarshal([]byte(prefs.String(c.prefKey("saved"))), &c.saved)
	c.refreshSaved()
	c.histList.Refresh()
}

func (c *Composer) refreshSaved() {
	names := make([]string, 0, len(c.saved))
	for n := range c.saved {
		names = append(names, n)
	}
	sort.Strings(names)
	c.savedSel.Options = names
	c.savedSel.Refresh()
}

func (c *Composer) onTemplate(name string) {
	if c.dialect == nil {
		return
	}
	for _, t := range c.dialect.Templates() {
		if t.Name == name {
			c.editor.SetText(Pretty([]byte(t.JSON)))
		}
	}
}

// check parses as you type: the JSON error with its line and column, then the
// dialect's shape check.
func (c *Composer) check() {
	text := []byte(c.editor.Text)
	c.send.Disable()
	c.sendRaw.Hide()
	switch {
	case c.dialect == nil:
		c.status.SetText("")
		return
	case len(bytes.TrimSpace(text)) == 0:
		c.status.SetText("Write a message, or pick a template.")
		c.status.Importance = widget.MediumImportance
		c.status.Refresh()
		return
	}
	if err := session.CheckJSON(text); err != nil && !session.TakesPlainText(c.dialect) {
		c.status.SetText("JSON: " + err.Error())
		c.status.Importance = widget.DangerImportance
		c.sendRaw.Show()
	} else if err := c.dialect.CheckMessage(text); err != nil {
		c.status.SetText(err.Error())
		c.status.Importance = widget.WarningImportance
		c.sendRaw.Show()
	} else {
		msg := "Looks right."
		if _, ok := c.dialect.SubscriptionOf(text); ok {
			msg += " Sent as a tracked subscription: it appears under the profile and is replayed on reconnect."
		}
		c.status.SetText(msg)
		c.status.Importance = widget.SuccessImportance
		c.send.Enable()
	}
	c.status.Refresh()
}

// onSend sends the message; a subscribing message goes through the session's
// subscription table unless sent raw on purpose.
func (c *Composer) onSend(raw bool) {
	text := bytes.TrimSpace([]byte(c.editor.Text))
	frame := text
	var compact bytes.Buffer
	if json.Compact(&compact, text) == nil {
		frame = compact.Bytes()
	}
	if !c.ctl.Live(c.profile) {
		c.status.SetText(c.profile + " is not connected: connect it first.")
		return
	}
	if spec, ok := c.dialect.SubscriptionOf(frame); ok && !raw {
		id, err := c.ctl.Subscribe(c.profile, spec)
		if err != nil {
			c.status.SetText(err.Error())
			return
		}
		c.changed()
		c.status.SetText("Sent as subscription #" + id + ".")
	} else if err := c.ctl.SendRaw(c.profile, frame); err != nil {
		c.status.SetText(err.Error())
		return
	} else if raw {
		c.status.SetText("Sent unchecked.")
	} else {
		c.status.SetText("Sent.")
	}
	c.history = append([]string{string(frame)}, c.history...)
	if len(c.history) > composerHistory {
		c.history = c.history[:composerHistory]
	}
	b, _ := json.Marshal(c.history)
	c.prefs.SetString(c.prefKey("history"), string(b))
	c.histList.Refresh()
}

func (c *Composer) onSaveNamed() {
	if c.dialect == nil || c.saveName.Text == "" {
		c.status.SetText("Give the message a name to save it.")
		return
	}
	c.saved[c.saveName.Text] = c.editor.Text
	b, _ := json.Marshal(c.saved)
	c.prefs.SetString(c.prefKey("saved"), string(b))
	c.refreshSaved()
	c.status.SetText("Saved as " + c.saveName.Text + ".")
	c.saveName.SetText("")
}
