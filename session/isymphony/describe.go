package isymphony

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/feedscope/feedscope/session"
)

// DescribeSub explains a filter set in words.
func (Dialect) DescribeSub(spec json.RawMessage) string {
	fs, err := ParseFilters(spec)
	if err != nil {
		return ""
	}
	return Explain(fs)
}

// DefaultSub follows logins and logouts.
func (Dialect) DefaultSub() json.RawMessage {
	return json.RawMessage(`[{"property":"type","value":"userLogin"},{"property":"type","value":"userLogout"}]`)
}

// CheckURL refuses credentials inside the URL, offering to move them to User and
// Password, where they are kept as secrets.
func (Dialect) CheckURL(p *session.Profile) *session.URLProblem {
	u, err := url.Parse(p.URL)
	if err != nil || u.User == nil {
		return nil
	}
	return &session.URLProblem{
		Message: "credentials in the URL would be shown and logged: move them to User and Password",
		Fix: func(p *session.Profile) {
			u, err := url.Parse(p.URL)
			if err != nil || u.User == nil {
				return
			}
			p.User = u.User.Username()
			p.Password, _ = u.User.Password()
			u.User = nil
			p.URL = u.String()
		},
	}
}

// ReplyOf recognises the answer to a filter set.
func (Dialect) ReplyOf(e *session.Event) (session.Reply, bool) {
	if e.Dir == session.DirIn && e.Kind == "filterResponse" {
		return session.Reply{Text: fmt.Sprintf("%s: %s", e.Kind, e.Summary)}, true
	}
	return session.Reply{}, false
}
