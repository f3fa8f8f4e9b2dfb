package websocket

import (
	"encoding/json"
	"strconv"

	"github.com/feedscope/feedscope/session"
)

// DescribeSub says what a subscription sends: "text "hello"" or "JSON {…}".
func (Dialect) DescribeSub(spec json.RawMessage) string {
	msg, err := Message(spec)
	if err != nil {
		return ""
	}
	if spec := SpecOf(msg); len(spec) > 0 && spec[0] == '"' {
		return "text " + strconv.Quote(session.Shorten(string(msg), 50))
	}
	return "JSON " + session.Shorten(string(msg), 55)
}

// DefaultSub is what a new subscription form starts from: a text message.
func (Dialect) DefaultSub() json.RawMessage { return json.RawMessage(`"hello"`) }
