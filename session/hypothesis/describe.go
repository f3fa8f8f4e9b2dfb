package hypothesis

import (
	"encoding/json"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// DescribeSub lists a filter's clauses: "filter /group = __world__ or /uri = …".
func (Dialect) DescribeSub(spec json.RawMessage) string {
	f, err := ParseFilter(spec)
	if err != nil {
		return ""
	}
	if len(f.Clauses) == 0 {
		return "empty filter: receives nothing"
	}
	var parts []string
	for _, c := range f.Clauses {
		vals, _ := c.Values()
		parts = append(parts, c.Field+" = "+strings.Join(vals, " | "))
	}
	return "filter " + strings.Join(parts, " or ")
}

// DefaultSub is the public group's create, update and delete notifications.
func (Dialect) DefaultSub() json.RawMessage {
	return json.RawMessage(`{"match_policy":"include_any","clauses":[{"field":"/group","value":["__world__"]}],"actions":{"create":true,"update":true,"delete":true}}`)
}

// Commands are the socket's own requests: an application-level ping and whoami.
func (Dialect) Commands() []session.Command {
	return []session.Command{
		{Label: "Ping", Hint: "Ping sent…", Run: func(c session.Client, w *session.Wire) { c.(*Client).Ping(w) }},
		{Label: "Who am I", Hint: "Asked who the server thinks this socket is…", Run: func(c session.Client, w *session.Wire) { c.(*Client).Whoami(w) }},
		{Label: "client_id is sent on every connect"},
	}
}

// ReplyOf recognises the answers to Ping and Who am I.
func (Dialect) ReplyOf(e *session.Event) (session.Reply, bool) {
	if e.Dir != session.DirIn {
		return session.Reply{}, false
	}
	switch e.Kind {
	case "pong":
		return session.Reply{Text: "Ping: " + e.Summary}, true
	case "whoyouare":
		return session.Reply{Text: "The server knows this socket as " + e.Summary}, true
	}
	return session.Reply{}, false
}
