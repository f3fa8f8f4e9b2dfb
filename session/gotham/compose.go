package gotham

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/feedscope/feedscope/session"
)

// Templates lists every client message type.
func (Dialect) Templates() []session.Template {
	return []session.Template{
		{Name: "subscribe everything", JSON: `{"type":"subscribe","query":{}}`},
		{Name: "subscribe polygon", JSON: `{"type":"subscribe","query":{"location":[{"longitude":-77.0597,"latitude":38.9033},{"longitude":-77.0601,"latitude":38.9052},{"longitude":-77.0628,"latitude":38.9052},{"longitude":-77.0613,"latitude":38.9028},{"longitude":-77.0597,"latitude":38.9033}]}}`},
		{Name: "subscribe time", JSON: `{"type":"subscribe","query":{"time":{"start":"2025-03-01T00:00:00Z","end":"2025-03-02T00:00:00Z"}}}`},
		{Name: "subscribe property", JSON: `{"type":"subscribe","query":{"property":{"property":"speed","values":[12.5,13]}}}`},
		{Name: "unsubscribe", JSON: `{"type":"unsubscribe","id":"3255ebeb-a897-437c-ae7b-99c5d64d17cf"}`},
	}
}

type message struct {
	Type  string          `json:"type"`
	Query json.RawMessage `json:"query"`
	ID    *string         `json:"id"`
}

// CheckMessage checks a client frame: a subscribe's query as the server validates it.
func (Dialect) CheckMessage(frame []byte) error {
	var m message
	dec := json.NewDecoder(bytes.NewReader(frame))
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("gotham: a message must be a JSON object (the demo closes the socket with 1007 on anything else)")
	}
	if dec.More() {
		return fmt.Errorf("gotham: data after the JSON object (a lenient server ignores it; a strict one may not)")
	}
	switch m.Type {
	case "subscribe":
		if len(m.Query) == 0 || string(m.Query) == "null" {
			return fmt.Errorf("gotham subscribe: \"query\" is missing (use {} for everything)")
		}
		if _, arg := ParseQuery(m.Query); arg != nil {
			return fmt.Errorf("gotham subscribe: %s: %s", arg.Name, arg.Value)
		}
	case "unsubscribe":
		if m.ID == nil || *m.ID == "" {
			return fmt.Errorf("gotham unsubscribe: \"id\" must be the subscription's id")
		}
	default:
		return fmt.Errorf("gotham: unknown message type %q (want subscribe or unsubscribe)", m.Type)
	}
	return nil
}

// SubscriptionOf returns the query of a subscribe message.
func (Dialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var m message
	if json.NewDecoder(bytes.NewReader(frame)).Decode(&m) != nil || m.Type != "subscribe" || len(m.Query) == 0 {
		return nil, false
	}
	return m.Query, true
}
