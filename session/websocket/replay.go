package websocket

import (
	"encoding/json"
	"net/http"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
	gws "github.com/gorilla/websocket"
)

// A replay re-sends every recorded frame as it came (text as text, bytes as bytes),
// from the socket's first moment, and echoes what the client sends, as the demo
// does. Recorded echoes of the recorder's own messages (events of a subscription)
// are not re-sent: each socket gets its own.
func init() {
	serve.RegisterReplay(serve.Replay{Dialect: Name, Path: Path, Prepare: prepareReplay})
}

type replayScript struct {
	frames []serve.Frame
	plays  []Frame
}

func prepareReplay(evs []session.Event) serve.Script {
	s := &replayScript{}
	for i, ev := range evs {
		if ev.Dir != session.DirIn || ev.Sub != "" || len(ev.Raw) == 0 {
			continue
		}
		f, ok := frameOf(&ev)
		if !ok {
			continue
		}
		s.plays = append(s.plays, f)
		s.frames = append(s.frames, serve.Frame{At: ev.Time, Events: []int{i}})
	}
	return s
}

// frameOf undoes the decoder: a JSON string was plain text, the binary wrapper was
// bytes, any other JSON came as it is (in a binary frame when the kind says so).
func frameOf(ev *session.Event) (Frame, bool) {
	switch ev.Raw[0] {
	case '"':
		var s string
		if json.Unmarshal(ev.Raw, &s) != nil {
			return Frame{}, false
		}
		return Frame{Data: []byte(s)}, true
	case '{':
		if ev.Kind == KindBinary {
			var b struct {
				Binary *[]byte `json:"binary"`
				Size   *int    `json:"size"`
			}
			if json.Unmarshal(ev.Raw, &b) == nil && b.Binary != nil && b.Size != nil && len(*b.Binary) == *b.Size {
				return Frame{Binary: true, Data: *b.Binary}, true
			}
		}
	}
	return Frame{Binary: ev.Kind == KindBinary, Data: ev.Raw}, true
}

func (s *replayScript) Frames() []serve.Frame { return s.frames }

// Accept takes any credentials, the replay holding nothing to protect, and agrees
// to the first subprotocol offered (the recorded profile's).
func (s *replayScript) Accept(_ http.ResponseWriter, r *http.Request) (http.Header, bool) {
	if ps := gws.Subprotocols(r); len(ps) > 0 {
		return http.Header{"Sec-Websocket-Protocol": {ps[0]}}, true
	}
	return nil, true
}

type replaySock struct {
	script *replayScript
	conn   *serve.Conn
}

func (s *replayScript) Open(c *serve.Conn) (serve.ReplaySocket, bool) {
	return &replaySock{script: s, conn: c}, true
}

// Handle echoes a client frame.
func (r *replaySock) Handle(data []byte) bool {
	r.conn.Send(data)
	return true
}

func (r *replaySock) Play(i int) {
	f := r.script.plays[i]
	if f.Binary {
		r.conn.SendBinary(f.Data)
	} else {
		r.conn.Send(f.Data)
	}
}
