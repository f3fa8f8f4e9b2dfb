package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// ProfileForm edits one profile and says, as the user types, what would fail.
type ProfileForm struct {
	Name      *widget.Entry
	Dialect   *widget.Select
	URL       *widget.Entry
	Token     *widget.Entry
	User      *widget.Entry
	Password  *widget.Entry
	VerifyTLS *widget.Check
	// Trust: a CA bundle and a client certificate (PEM file paths), the client key
	// (a secret, loaded from a file off the UI goroutine) and a proxy override.
	CAFile      *widget.Entry
	CertFile    *widget.Entry
	KeyStatus   *widget.Label
	LoadKey     *widget.Button
	ClearKey    *widget.Button
	Proxy       *widget.Entry
	clientKey   string
	ReadLimit   *widget.Entry
	AutoConnect *widget.Check
	Subs        *widget.Entry
	// Headers are extra handshake headers: a name and a secret value per row.
	Headers      *rowList
	Subprotocols *widget.Entry
	// Extra holds the selected dialect's own fields, if it has any.
	Extra    ProfileFields
	extraBox *fyne.Container
	Problem  *widget.Label
	Fix      *widget.Button
	Save     *widget.Button
	Content  fyne.CanvasObject

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
	f.Dialect = widget.NewSelect(session.Dialects(), nil)
	f.URL = widget.NewEntry()
	f.Token = widget.NewPasswordEntry()
	f.User = widget.NewEntry()
	f.Password = widget.NewPasswordEntry()
	f.VerifyTLS = widget.NewCheck("Verify TLS certificates", nil)
	f.CAFile, f.CertFile, f.Proxy = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	f.CAFile.SetPlaceHolder("/etc/ssl/internal-ca.pem (trusted besides the system's)")
	f.CertFile.SetPlaceHolder("/path/client.pem (mutual TLS)")
	f.Proxy.SetPlaceHolder("http://proxy:3128, or direct; empty: HTTPS_PROXY/NO_PROXY")
	f.KeyStatus = widget.NewLabel("")
	f.LoadKey = widget.NewButton("Load key…", f.pickKey)
	f.ClearKey = widget.NewButton("Clear", func() { f.SetClientKey("") })
	f.ReadLimit = widget.NewEntry()
	f.AutoConnect = widget.NewCheck("Connect when Feedscope starts", nil)
	f.Subs = widget.NewMultiLineEntry()
	f.Subs.SetMinRowsVisible(3)
	f.Headers = newRowList("Header", func() []fyne.CanvasObject {
		name, value := widget.NewEntry(), widget.NewPasswordEntry()
		name.SetPlaceHolder("name, e.g. Authorization")
		value.SetPlaceHolder("value (kept as a secret)")
		name.OnChanged = func(string) { f.check() }
		value.OnChanged = func(string) { f.check() }
		return []fyne.CanvasObject{name, value}
	}, func() { f.check() })
	f.Subprotocols = widget.NewEntry()
	f.Subprotocols.SetPlaceHolder("comma-separated, e.g. graphql-transport-ws")
	f.extraBox = container.NewVBox()
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
	f.CAFile.SetText(p.CAFile)
	f.CertFile.SetText(p.CertFile)
	f.Proxy.SetText(p.Proxy)
	f.SetClientKey(p.ClientKey)
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
	growRows(f.Subs, 3, 20)
	for _, name := range sortedKeys(p.Headers) {
		row := f.Headers.add()
		row[0].(*widget.Entry).SetText(name)
		row[1].(*widget.Entry).SetText(p.Headers[name])
	}
	f.Subprotocols.SetText(strings.Join(p.Subprotocols, ", "))
	f.setDialect(p.Dialect, p.Settings)

	for _, e := range []*widget.Entry{f.Name, f.URL, f.Token, f.User, f.Password, f.ReadLimit, f.Subs, f.Subprotocols, f.CAFile, f.CertFile, f.Proxy} {
		e.OnChanged = func(string) { f.check() }
	}
	f.Subs.OnChanged = func(string) { growRows(f.Subs, 3, 20); f.check() }
	f.Dialect.OnChanged = func(d string) { f.setDialect(d, nil); f.check() }
	f.VerifyTLS.OnChanged = func(bool) { f.check() }

	form := widget.NewForm(
		widget.NewFormItem("Name", f.Name),
		widget.NewFormItem("Dialect", f.Dialect),
		widget.NewFormItem("URL", f.URL),
		&widget.FormItem{Text: "Token", Widget: f.Token, HintText: "a secret: kept apart from the profiles file (where: below)"},
		&widget.FormItem{Text: "User", Widget: f.User, HintText: "for dialects that log in with Basic auth"},
		&widget.FormItem{Text: "Password", Widget: f.Password, HintText: "kept like the token"},
		&widget.FormItem{Text: "Headers", Widget: f.Headers.content, HintText: "sent with the handshake; values kept like the token"},
		&widget.FormItem{Text: "Subprotocols", Widget: f.Subprotocols, HintText: "offered in Sec-WebSocket-Protocol"},
		widget.NewFormItem("TLS", f.VerifyTLS),
		&widget.FormItem{Text: "CA bundle", Widget: f.CAFile, HintText: "PEM file of an internal CA: trust it instead of turning verification off"},
		&widget.FormItem{Text: "Client certificate", Widget: f.CertFile, HintText: "PEM file, for servers that ask for mutual TLS"},
		&widget.FormItem{Text: "Client key", Widget: container.NewBorder(nil, nil, nil, container.NewHBox(f.LoadKey, f.ClearKey), f.KeyStatus),
			HintText: "the certificate's private key; kept like the token, never exported"},
		&widget.FormItem{Text: "Proxy", Widget: f.Proxy, HintText: "overrides HTTPS_PROXY, HTTP_PROXY and NO_PROXY for this profile"},
		&widget.FormItem{Text: "Read limit (MiB)", Widget: f.ReadLimit, HintText: "a larger frame closes the socket with 1009"},
		widget.NewFormItem("", f.AutoConnect),
		&widget.FormItem{Text: "Subscriptions", Widget: f.Subs, HintText: "the dialect's native JSON, as `feedscope tail --sub`"},
	)
	// Where secrets go is said once, at the end: the path is long, and the hints of
	// every secret field would repeat it.
	where := widget.NewLabel("Tokens, passwords, header values and the client key are kept in " + secretsWhere + ".")
	where.Wrapping = fyne.TextWrapWord
	where.SizeName = theme.SizeNameCaptionText
	f.Content = container.NewBorder(nil, container.NewVBox(container.NewBorder(nil, nil, nil, f.Fix, f.Problem)), nil, nil,
		formScroll(container.NewVBox(form, f.extraBox, where)))
	f.check()
	return f
}

// setDialect shows the dialect's own fields, filled from settings, and its
// examples in the empty fields.
func (f *ProfileForm) setDialect(dialect string, settings map[string]string) {
	ex := examplesOf(dialect)
	for _, e := range []struct {
		entry *widget.Entry
		text  string
	}{{f.Name, ex.Name}, {f.URL, ex.URL}, {f.Token, ex.Token}, {f.User, ex.User}, {f.Password, ex.Password}, {f.Subs, ex.Subs}} {
		e.entry.SetPlaceHolder(e.text)
	}
	f.Extra = newProfileFields(dialect)
	f.extraBox.RemoveAll()
	if f.Extra != nil {
		f.Extra.Load(settings)
		f.Extra.SetOnChanged(func() { f.check() })
		f.extraBox.Add(widget.NewForm(f.Extra.Items()...))
	}
	f.extraBox.Refresh()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// headers reads the header rows: names must be valid tokens, each given once.
func (f *ProfileForm) headers() (map[string]string, error) {
	var h map[string]string
	for i, row := range f.Headers.rows {
		name := strings.TrimSpace(row[0].(*widget.Entry).Text)
		value := row[1].(*widget.Entry).Text
		if !validHeaderName(name) {
			return nil, fmt.Errorf("header %d: %q is not a header name (letters, digits and !#$%%&'*+-.^_`|~)", i+1, name)
		}
		if h == nil {
			h = map[string]string{}
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if _, dup := h[canon]; dup {
			return nil, fmt.Errorf("header %s is given twice", canon)
		}
		if strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("header %s: the value cannot span lines", canon)
		}
		h[canon] = value
	}
	return h, nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110 §5.6.2).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

// Profile returns what the form holds, and the first problem with it.
func (f *ProfileForm) Profile() (session.Profile, error) {
	p := session.Profile{
		Name: strings.TrimSpace(f.Name.Text), Dialect: f.Dialect.Selected, URL: strings.TrimSpace(f.URL.Text),
		Token: f.Token.Text, User: strings.TrimSpace(f.User.Text), Password: f.Password.Text,
		InsecureSkipVerify: !f.VerifyTLS.Checked, AutoConnect: f.AutoConnect.Checked,
		CAFile: strings.TrimSpace(f.CAFile.Text), CertFile: strings.TrimSpace(f.CertFile.Text),
		ClientKey: f.clientKey, Proxy: strings.TrimSpace(f.Proxy.Text),
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
	if p.Headers, err = f.headers(); err != nil {
		return p, err
	}
	p.Subprotocols = splitValues(f.Subprotocols.Text)
	for _, sp := range p.Subprotocols {
		if !validHeaderName(sp) {
			return p, fmt.Errorf("subprotocol %q: letters, digits and !#$%%&'*+-.^_`|~ only", sp)
		}
	}
	if f.Extra != nil {
		if p.Settings, err = f.Extra.Settings(); err != nil {
			return p, err
		}
	}
	if p.Dialect == "" {
		return p, fmt.Errorf("choose a dialect")
	}
	if (p.CertFile == "") != (p.ClientKey == "") {
		return p, fmt.Errorf("a client certificate needs both its certificate file and its key")
	}
	if v := p.Proxy; v != "" && !strings.EqualFold(v, "direct") && !strings.Contains(v, "://") {
		return p, fmt.Errorf("proxy must be a URL such as http://proxy.example:3128, or direct")
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
	d, _ := session.Lookup(p.Dialect)
	prob := session.CheckURL(d, p)
	if prob == nil {
		return nil
	}
	if prob.Fix != nil {
		cur := *p
		f.fix = func() {
			prob.Fix(&cur)
			f.User.SetText(cur.User)
			f.Password.SetText(cur.Password)
			f.URL.SetText(cur.URL)
		}
	}
	return errors.New(prob.Message)
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

// SetClientKey holds a client key (PEM) and says so without showing it.
func (f *ProfileForm) SetClientKey(pem string) {
	f.clientKey = pem
	switch {
	case pem == "":
		f.KeyStatus.SetText("no key")
		f.ClearKey.Disable()
	case strings.Contains(pem, "PRIVATE KEY"):
		f.KeyStatus.SetText(fmt.Sprintf("key loaded (%d bytes)", len(pem)))
		f.ClearKey.Enable()
	default:
		f.KeyStatus.SetText("that file holds no PEM private key")
		f.clientKey = ""
		f.ClearKey.Disable()
	}
	if f.Problem != nil {
		f.check()
	}
}

// pickKey opens a file dialog and reads the chosen key off the UI goroutine.
func (f *ProfileForm) pickKey() {
	w := fyne.CurrentApp().Driver().AllWindows()
	if len(w) == 0 {
		return
	}
	files := fileDialogs{win: w[0], prefs: fyne.CurrentApp().Preferences()}
	files.open(fileKeys, "", []string{".pem", ".key"}, func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		go func() {
			defer r.Close()
			b, err := io.ReadAll(io.LimitReader(r, 64<<10))
			fyne.Do(func() {
				if err != nil {
					f.KeyStatus.SetText("could not read the key: " + err.Error())
					return
				}
				f.SetClientKey(string(b))
			})
		}()
	})
}
