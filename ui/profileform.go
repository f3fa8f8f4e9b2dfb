package ui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// ProfileForm edits one profile and says, as the user types, what would fail.
type ProfileForm struct {
	Name        *widget.Entry
	Dialect     *widget.Select
	URL         *widget.Entry
	Token       *widget.Entry
	User        *widget.Entry
	Password    *widget.Entry
	VerifyTLS   *widget.Check
	ReadLimit   *widget.Entry
	AutoConnect *widget.Check
	Subs        *widget.Entry
	Problem     *widget.Label
	Fix         *widget.Button
	Save        *widget.Button
	Content     fyne.CanvasObject

	taken   func(name string) bool // another profile already has this name
	fix     func()
	OnSave  func(session.Profile)
	secrets string
}

// NewProfileForm fills a form from p; taken reports names in use by other profiles;
// secretsWhere says where tokens are kept.
func NewProfileForm(p session.Profile, taken func(string) bool, secretsWhere string) *ProfileForm {
	f := &ProfileForm{taken: taken, secrets: secretsWhere}
	f.Name = widget.NewEntry()
	f.Name.SetPlaceHolder("prod-misskey")
	f.Dialect = widget.NewSelect(session.Dialects(), nil)
	f.URL = widget.NewEntry()
	f.URL.SetPlaceHolder("wss://host/path")
	f.Token = widget.NewPasswordEntry()
	f.User = widget.NewEntry()
	f.Password = widget.NewPasswordEntry()
	f.VerifyTLS = widget.NewCheck("Verify TLS certificates", nil)
	f.ReadLimit = widget.NewEntry()
	f.AutoConnect = widget.NewCheck("Connect when Feedscope starts", nil)
	f.Subs = widget.NewMultiLineEntry()
	f.Subs.SetPlaceHolder(`one subscription per line, e.g. {"channel":"localTimeline"}`)
	f.Subs.SetMinRowsVisible(3)
	f.Problem = widget.NewLabel("")
	f.Problem.Wrapping = fyne.TextWrapWord
	f.Problem.Importance = widget.DangerImportance
	f.Fix = widget.NewButton("Fix", func() {
		if f.fix != nil {
			f.fix()
		}
	})
	f.Fix.Hide()
	f.Save = widget.NewButton("Save", f.onSave)
	f.Save.Importance = widget.HighImportance

	f.Name.SetText(p.Name)
	f.Dialect.SetSelected(p.Dialect)
	f.URL.SetText(p.URL)
	f.Token.SetText(p.Token)
	f.User.SetText(p.User)
	f.Password.SetText(p.Password)
	f.VerifyTLS.SetChecked(!p.InsecureSkipVerify)
	if p.ReadLimit > 0 {
		f.ReadLimit.SetText(strconv.FormatInt(p.ReadLimit>>20, 10))
	} else {
		f.ReadLimit.SetText(strconv.Itoa(session.DefaultReadLimit >> 20))
	}
	f.AutoConnect.SetChecked(p.AutoConnect)
	var lines []string
	for _, s := range p.Subs {
		lines = append(lines, string(s))
	}
	f.Subs.SetText(strings.Join(lines, "\n"))

	for _, e := range []*widget.Entry{f.Name, f.URL, f.Token, f.User, f.Password, f.ReadLimit, f.Subs} {
		e.OnChanged = func(string) { f.check() }
	}
	f.Dialect.OnChanged = func(string) { f.check() }
	f.VerifyTLS.OnChanged = func(bool) { f.check() }

	form := widget.NewForm(
		widget.NewFormItem("Name", f.Name),
		widget.NewFormItem("Dialect", f.Dialect),
		widget.NewFormItem("URL", f.URL),
		&widget.FormItem{Text: "Token", Widget: f.Token, HintText: "bearer token; kept in " + secretsWhere + ", never in the profiles file"},
		&widget.FormItem{Text: "User", Widget: f.User, HintText: "iSymphony only (Basic auth)"},
		&widget.FormItem{Text: "Password", Widget: f.Password, HintText: "kept like the token"},
		widget.NewFormItem("TLS", f.VerifyTLS),
		&widget.FormItem{Text: "Read limit (MiB)", Widget: f.ReadLimit, HintText: "a larger frame closes the socket with 1009"},
		widget.NewFormItem("", f.AutoConnect),
		&widget.FormItem{Text: "Subscriptions", Widget: f.Subs, HintText: "the dialect's native JSON, as `feedscope tail --sub`"},
	)
	f.Content = container.NewBorder(nil, container.NewVBox(container.NewBorder(nil, nil, nil, f.Fix, f.Problem)), nil, nil, form)
	f.check()
	return f
}

// Profile returns what the form holds, and the first problem with it.
func (f *ProfileForm) Profile() (session.Profile, error) {
	p := session.Profile{
		Name: strings.TrimSpace(f.Name.Text), Dialect: f.Dialect.Selected, URL: strings.TrimSpace(f.URL.Text),
		Token: f.Token.Text, User: strings.TrimSpace(f.User.Text), Password: f.Password.Text,
		InsecureSkipVerify: !f.VerifyTLS.Checked, AutoConnect: f.AutoConnect.Checked,
	}
	f.fix = nil
	if p.Name != "" && f.taken != nil && f.taken(p.Name) {
		return p, fmt.Errorf("another profile is already called %q", p.Name)
	}
	mib, err := strconv.ParseInt(strings.TrimSpace(f.ReadLimit.Text), 10, 64)
	if err != nil || mib <= 0 || mib > 1024 {
		return p, fmt.Errorf("read limit must be a whole number of MiB from 1 to 1024")
	}
	p.ReadLimit = mib << 20
	if p.Dialect == "" {
		return p, fmt.Errorf("choose a dialect")
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if err := f.checkDialectURL(&p); err != nil {
		return p, err
	}
	d, _ := session.Lookup(p.Dialect)
	for i, line := range strings.Split(f.Subs.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := session.CheckJSON([]byte(line)); err != nil {
			return p, fmt.Errorf("subscription on line %d: %v", i+1, err)
		}
		if err := d.CheckSub(json.RawMessage(line)); err != nil {
			return p, fmt.Errorf("subscription on line %d: %v", i+1, err)
		}
		p.Subs = append(p.Subs, json.RawMessage(line))
	}
	if len(p.Subs) > 1 && session.SingleSubscription(d) {
		return p, fmt.Errorf("%s keeps one filter per socket: put everything in one subscription", p.Dialect)
	}
	return p, nil
}

// checkDialectURL catches what the dialect's server would refuse, offering a fix.
func (f *ProfileForm) checkDialectURL(p *session.Profile) error {
	u, _ := url.Parse(p.URL)
	switch p.Dialect {
	case "gotham":
		spec := u.Path[strings.LastIndex(u.Path, "/")+1:]
		if !strings.Contains(u.Path, "/observations/") || spec == "" {
			return fmt.Errorf("a Gotham URL ends in /api/ws/gotham/v1/observations/{observationSpecId}")
		}
		if u.Query().Get("preview") != "true" {
			f.fix = func() {
				q := u.Query()
				q.Set("preview", "true")
				u.RawQuery = q.Encode()
				f.URL.SetText(u.String())
			}
			return fmt.Errorf("the Gotham observations socket is a preview API: the URL needs preview=true")
		}
	case "isymphony":
		if u.User != nil {
			f.fix = func() {
				user := u.User.Username()
				pw, _ := u.User.Password()
				u.User = nil
				f.User.SetText(user)
				f.Password.SetText(pw)
				f.URL.SetText(u.String())
			}
			return fmt.Errorf("credentials in the URL would be shown and logged: move them to User and Password")
		}
	}
	return nil
}

func (f *ProfileForm) check() {
	_, err := f.Profile()
	if err != nil {
		f.Problem.SetText(err.Error())
		f.Save.Disable()
	} else {
		f.Problem.SetText("")
		f.Save.Enable()
	}
	if !f.VerifyTLS.Checked && err == nil {
		f.Problem.SetText("TLS certificates will not be verified: anyone on the path can read this feed.")
		f.Problem.Importance = widget.WarningImportance
	} else {
		f.Problem.Importance = widget.DangerImportance
	}
	f.Problem.Refresh()
	if f.fix != nil {
		f.Fix.Show()
	} else {
		f.Fix.Hide()
	}
}

func (f *ProfileForm) onSave() {
	p, err := f.Profile()
	if err != nil {
		f.check()
		return
	}
	if f.OnSave != nil {
		f.OnSave(p)
	}
}
