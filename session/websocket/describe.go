package websocket

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// maxDump is how much of a binary frame the detail pane dumps.
const maxDump = 4096

// DetailText shows a binary frame as a hex dump (offsets, bytes, printable text),
// its first 4 KiB; other frames are JSON or text, shown as such.
func (Dialect) DetailText(e *session.Event) (string, bool) {
	if e.Kind != KindBinary || len(e.Raw) == 0 || e.Raw[0] != '{' {
		return "", false
	}
	var b struct {
		Binary *[]byte `json:"binary"`
		Size   *int    `json:"size"`
	}
	if json.Unmarshal(e.Raw, &b) != nil || b.Binary == nil || b.Size == nil || len(*b.Binary) != *b.Size {
		return "", false
	}
	data := *b.Binary
	head := fmt.Sprintf("%d bytes (binary frame)\n\n", len(data))
	if len(data) > maxDump {
		return head + hex.Dump(data[:maxDump]) + fmt.Sprintf("… %d more bytes\n", len(data)-maxDump), true
	}
	return head + hex.Dump(data), true
}

// RawFrame gives back a plain-text frame, which Raw holds as a JSON string; JSON
// frames are their Raw, and bytes stay in their wrapper.
func (Dialect) RawFrame(e *session.Event) ([]byte, bool) {
	if e.Dir != session.DirIn || e.Kind != KindText || len(e.Raw) == 0 || e.Raw[0] != '"' {
		return nil, false
	}
	var s string
	if json.Unmarshal(e.Raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// What the app asks of a dialect, held at compile time.
var (
	_ session.Configured    = Dialect{}
	_ session.Describer     = Dialect{}
	_ session.Defaulter     = Dialect{}
	_ session.Detailer      = Dialect{}
	_ session.PlainText     = Dialect{}
	_ session.RawFramer     = Dialect{}
	_ session.BinaryDecoder = (*Client)(nil)
)
