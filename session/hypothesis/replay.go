package hypothesis

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// A replay answers every command as the demo streamer does (ping, whoami,
// client_id, filter) and sends a recorded annotation notification to a socket whose
// filter matches it, as the demo does; a delete matches by the annotation it
// removed, as recorded before it. Other frames go to every socket; the recorded
// replies (anything with reply_to) are not re-sent.
func init() {
	serve.RegisterReplay(serve.Replay{Dialect: Name, Path: Path, Prepare: prepareReplay})
}

type replayScript struct {
	frames  []serve.Frame
	plays   []replayFrame
	filters map[string]bool // the filters the recording sent, canonical
}

type replayFrame struct {
	anns []Annotation // nil: not an annotation notification, goes to everyone
	// unseen: a delete of an annotation the recording never showed: it came because
	// the recorded filter matched, so it goes to a socket with that filter.
	unseen bool
	raw    []byte
}

// canonicalFilter re-encodes a filter message's filter so that spacing, key order
// and ignored fields do not matter; "" when it is not one.
func canonicalFilter(frame []byte) string {
	var m struct {
		Filter json.RawMessage `json:"filter"`
	}
	if json.Unmarshal(frame, &m) != nil || len(m.Filter) == 0 {
		return ""
	}
	f, err := ParseFilter(m.Filter)
	if err != nil {
		return ""
	}
	b, _ := json.Marshal(f)
	return string(b)
}

func prepareReplay(evs []session.Event) serve.Script {
	s := &replayScript{filters: map[string]bool{}}
	known := map[string]Annotation{} // id → the annotation as last seen
	for i, ev := range evs {
		if ev.Dir == session.DirOut {
			if c := canonicalFilter(ev.Raw); c != "" {
				s.filters[c] = true
			}
			continue
		}
		if ev.Dir != session.DirIn || len(ev.Raw) == 0 {
			continue
		}
		var f struct {
			Type    string                  `json:"type"`
			ReplyTo json.RawMessage         `json:"reply_to"`
			Options struct{ Action string } `json:"options"`
			Payload []Annotation            `json:"payload"`
		}
		if json.Unmarshal(ev.Raw, &f) != nil || len(f.ReplyTo) > 0 {
			continue
		}
		p := replayFrame{raw: ev.Raw}
		if f.Type == "annotation-notification" {
			p.anns = []Annotation{}
			for _, a := range f.Payload {
				if f.Options.Action == "delete" {
					prev, ok := known[a.ID]
					if !ok {
						p.unseen = true
						continue
					}
					a = prev
				}
				known[a.ID] = a
				p.anns = append(p.anns, a)
			}
		}
		s.plays = append(s.plays, p)
		s.frames = append(s.frames, serve.Frame{At: ev.Time, Events: []int{i}})
	}
	return s
}

func (s *replayScript) Frames() []serve.Frame { return s.frames }

// Accept takes any socket, with or without a token, as the streamer does.
func (s *replayScript) Accept(http.ResponseWriter, *http.Request) (http.Header, bool) {
	return nil, true
}

type replaySock struct {
	script *replayScript
	k      *sock
	mu     sync.Mutex
	filter string // the socket's filter, canonical
}

func (s *replayScript) Open(c *serve.Conn) (serve.ReplaySocket, bool) {
	return &replaySock{script: s, k: &sock{conn: c, userid: "acct:replay@localhost"}}, false
}

// Handle answers as the demo does; the playback starts with the first filter.
func (r *replaySock) Handle(data []byte) bool {
	r.k.handle(data)
	if c := canonicalFilter(data); c != "" {
		r.mu.Lock()
		r.filter = c
		r.mu.Unlock()
	}
	r.k.mu.Lock()
	defer r.k.mu.Unlock()
	return r.k.filter != nil
}

func (r *replaySock) Play(i int) {
	f := &r.script.plays[i]
	if f.anns != nil {
		r.k.mu.Lock()
		ok := false
		for j := range f.anns {
			ok = ok || r.k.filter.Matches(&f.anns[j])
		}
		r.k.mu.Unlock()
		r.mu.Lock()
		ok = ok || f.unseen && r.script.filters[r.filter]
		r.mu.Unlock()
		if !ok {
			return
		}
	}
	r.k.conn.Send(f.raw)
}
