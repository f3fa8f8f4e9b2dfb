package isymphony

import (
	"encoding/json"
	"net/http"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// A replay takes filter messages as the demo does and sends a recorded PBX event to
// a socket whose filter set passes it, as the demo does; everything flows from the
// socket's first moment until a filter arrives. Recorded filterResponses are not
// re-sent: each socket gets its own.
func init() {
	serve.RegisterReplay(serve.Replay{Dialect: Name, Path: Path, Prepare: prepareReplay})
}

type replayScript struct {
	frames []serve.Frame
	plays  []replayFrame
}

type replayFrame struct {
	event map[string]any
	raw   []byte
}

func prepareReplay(evs []session.Event) serve.Script {
	s := &replayScript{}
	for i, ev := range evs {
		if ev.Dir != session.DirIn || len(ev.Raw) == 0 {
			continue
		}
		var m map[string]any
		if json.Unmarshal(ev.Raw, &m) != nil || m["type"] == "filterResponse" {
			continue
		}
		s.plays = append(s.plays, replayFrame{event: m, raw: ev.Raw})
		s.frames = append(s.frames, serve.Frame{At: ev.Time, Events: []int{i}})
	}
	return s
}

func (s *replayScript) Frames() []serve.Frame { return s.frames }

// Accept takes any credentials: the replay holds nothing to protect.
func (s *replayScript) Accept(http.ResponseWriter, *http.Request) (http.Header, bool) {
	return nil, true
}

type replaySock struct {
	script *replayScript
	k      *sock
}

func (s *replayScript) Open(c *serve.Conn) (serve.ReplaySocket, bool) {
	return &replaySock{script: s, k: &sock{conn: c}}, true
}

func (r *replaySock) Handle(data []byte) bool {
	r.k.handle(data)
	return true
}

func (r *replaySock) Play(i int) {
	f := &r.script.plays[i]
	r.k.mu.Lock()
	ok := Match(r.k.filters, f.event)
	r.k.mu.Unlock()
	if ok {
		r.k.conn.Send(f.raw)
	}
}
