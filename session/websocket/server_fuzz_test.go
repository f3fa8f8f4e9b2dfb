package websocket

import (
	"testing"

	"github.com/feedscope/feedscope/session/internal/serve"
	gws "github.com/gorilla/websocket"
)

// FuzzServerHandle feeds the demo server's handler arbitrary client frames: it
// echoes, subscribes or ignores, never panics.
func FuzzServerHandle(f *testing.F) {
	for _, s := range []string{
		`{"type":"subscribe","channel":"ticker"}`, `{"type":"unsubscribe","channel":"ticker"}`,
		`{"type":"subscribe"}`, `{"channel":1}`, `hello`, `[]`, "\xff",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, binary bool) {
		k := &sock{srv: &Server{Firehose: &serve.Firehose{}}, conn: serve.NewConn(nil, serve.Options{})}
		typ := gws.TextMessage
		if binary {
			typ = gws.BinaryMessage
		}
		k.handle(typ, b)
		if k.conn.Queued() == 0 {
			t.Fatalf("%q: no echo", b)
		}
	})
}

// The ticker cycles through every shape, binary included, and the firehose takes
// the text ones.
func TestTicksAndFirehoseFrames(t *testing.T) {
	tk := NewTicks(1)
	var bin, text int
	for range 12 {
		if tk.Next().Binary {
			bin++
		} else {
			text++
		}
	}
	if bin != 2 || text != 10 {
		t.Errorf("%d binary, %d text frames in 12", bin, text)
	}
	if fr := FirehoseFrames(10); len(fr) != 10 {
		t.Errorf("%d firehose frames", len(fr))
	}
}
