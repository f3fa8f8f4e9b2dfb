package misskey

import (
	"encoding/json"
	"fmt"

	"github.com/feedscope/feedscope/session"
)

// Templates lists every client message type, aliases included.
func (Dialect) Templates() []session.Template {
	return []session.Template{
		{Name: "connect", JSON: `{"type":"connect","body":{"channel":"localTimeline","id":"1","params":{"withRenotes":false},"pong":true}}`},
		{Name: "connect hashtag", JSON: `{"type":"connect","body":{"channel":"hashtag","id":"2","params":{"q":[["go","fyne"],["misskey"]]},"pong":true}}`},
		{Name: "disconnect", JSON: `{"type":"disconnect","body":{"id":"1"}}`},
		{Name: "channel requestLog (ch)", JSON: `{"type":"ch","body":{"id":"7","type":"requestLog","body":{"id":"a1b2","length":50}}}`},
		{Name: "subNote", JSON: `{"type":"subNote","body":{"id":"9zx8c7v6b5"}}`},
		{Name: "subNote (s)", JSON: `{"type":"s","body":{"id":"9zx8c7v6b5"}}`},
		{Name: "subNote and read (sr)", JSON: `{"type":"sr","body":{"id":"9zx8c7v6b5"}}`},
		{Name: "unsubNote", JSON: `{"type":"unsubNote","body":{"id":"9zx8c7v6b5"}}`},
		{Name: "unsubNote (un)", JSON: `{"type":"un","body":{"id":"9zx8c7v6b5"}}`},
		{Name: "readNotification", JSON: `{"type":"readNotification"}`},
	}
}

// CheckMessage checks a client frame as newer servers do before acting on it; the
// server itself would drop a bad one without a word.
func (Dialect) CheckMessage(frame []byte) error {
	var env envelope
	if err := json.Unmarshal(frame, &env); err != nil {
		return fmt.Errorf("misskey: a message must be a JSON object with \"type\" and \"body\"")
	}
	var body map[string]json.RawMessage
	needBody := env.Type != "readNotification"
	if needBody && json.Unmarshal(env.Body, &body) != nil {
		return fmt.Errorf("misskey %s: \"body\" must be an object", env.Type)
	}
	str := func(k string) error {
		var s string
		if json.Unmarshal(body[k], &s) != nil || s == "" {
			return fmt.Errorf("misskey %s: body.%s must be a non-empty string", env.Type, k)
		}
		return nil
	}
	switch env.Type {
	case "connect":
		for _, k := range []string{"channel", "id"} {
			if err := str(k); err != nil {
				return err
			}
		}
		if p, ok := body["pong"]; ok && string(p) != "null" && string(p) != "true" && string(p) != "false" {
			return fmt.Errorf("misskey connect: body.pong must be true, false or null")
		}
		if p, ok := body["params"]; ok {
			var obj map[string]json.RawMessage
			if string(p) == "null" || json.Unmarshal(p, &obj) != nil {
				return fmt.Errorf("misskey connect: body.params must be an object; omit it rather than send null")
			}
		}
		var name string
		_ = json.Unmarshal(body["channel"], &name)
		if _, ok := LookupChannel(name); !ok {
			return fmt.Errorf("misskey connect: unknown channel %q", name)
		}
	case "disconnect", "subNote", "s", "sr", "unsubNote", "un":
		return str("id")
	case "channel", "ch":
		if err := str("id"); err != nil {
			return err
		}
		return str("type")
	case "readNotification":
	default:
		return fmt.Errorf("misskey: unknown message type %q", env.Type)
	}
	return nil
}

// SubscriptionOf turns a connect or subNote into the native subscription.
func (Dialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var env envelope
	if json.Unmarshal(frame, &env) != nil {
		return nil, false
	}
	var b struct {
		Channel string          `json:"channel"`
		ID      string          `json:"id"`
		Params  json.RawMessage `json:"params"`
	}
	if json.Unmarshal(env.Body, &b) != nil {
		return nil, false
	}
	switch env.Type {
	case "connect":
		if b.Channel == "" {
			return nil, false
		}
		s, _ := json.Marshal(Sub{Channel: b.Channel, Params: b.Params})
		return s, true
	case "subNote", "s", "sr":
		if b.ID == "" {
			return nil, false
		}
		s, _ := json.Marshal(Sub{Note: b.ID})
		return s, true
	}
	return nil, false
}

// Defaults are the timeline parameters' values when absent, as the server applies
// them.
var Defaults = map[string]bool{"withRenotes": true, "withReplies": false, "withFiles": false}

// BuildSub makes a channel subscription; params equal to their defaults are kept,
// so what is sent is what is shown.
func BuildSub(channel string, params map[string]any) json.RawMessage {
	s := map[string]any{"channel": channel}
	if len(params) > 0 {
		s["params"] = params
	}
	b, _ := json.Marshal(s)
	return b
}
