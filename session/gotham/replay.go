package gotham

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
)

// A replay answers subscribe and unsubscribe as the demo does, each subscription
// under a fresh id of its own. A subscription that asks exactly what a recorded one
// asked gets that one's data frames; any other gets every recorded observation its
// query matches (time, location, property), each track's report once.
func init() {
	serve.RegisterReplay(serve.Replay{Dialect: Name, Path: Path + SpecVessels + "?preview=true", Prepare: prepareReplay})
}

type replayScript struct {
	frames  []serve.Frame
	plays   []replayFrame
	queries map[string]bool // every query the recording subscribed with, canonical
}

// replayFrame is a recorded data frame rebuilt from its observations' events (they
// share the frame's arrival time and subscription), or any other frame as it was.
type replayFrame struct {
	query string // canonical query of the recorded subscription; "" when unknown
	obs   []replayObs
	raw   []byte // a frame passed through as it was
}

type replayObs struct {
	raw []byte
	obs Observation
	ts  time.Time
	pt  orb.Point
}

// canonical re-encodes a query so that spacing and key order do not matter.
func canonical(spec json.RawMessage) string {
	q, arg := ParseQuery(spec)
	if arg != nil {
		return ""
	}
	b, _ := json.Marshal(q)
	return string(b)
}

func prepareReplay(evs []session.Event) serve.Script {
	s := &replayScript{queries: map[string]bool{}}
	query := map[string]string{} // our sub id → the canonical query it last subscribed
	for i, ev := range evs {
		switch {
		case ev.Dir == session.DirOut && ev.Kind == "subscribe":
			var m struct {
				Query json.RawMessage `json:"query"`
			}
			if json.Unmarshal(ev.Raw, &m) == nil {
				if c := canonical(m.Query); c != "" {
					query[ev.Sub], s.queries[c] = c, true
				}
			}
		case ev.Dir != session.DirIn || ev.Kind == "subscribed" || len(ev.Raw) == 0:
		case ev.Kind == "data":
			o := replayObs{raw: ev.Raw}
			if json.Unmarshal(ev.Raw, &o.obs) != nil {
				continue
			}
			o.pt = orb.Point{o.obs.Position.Longitude, o.obs.Position.Latitude}
			if ts, err := time.Parse(time.RFC3339, o.obs.Timestamp); err == nil {
				o.ts = ts
			} else {
				o.ts = ev.Time
			}
			n := len(s.frames)
			if n > 0 && s.plays[n-1].raw == nil && s.frames[n-1].At.Equal(ev.Time) && evs[s.frames[n-1].Events[0]].Sub == ev.Sub {
				s.plays[n-1].obs = append(s.plays[n-1].obs, o)
				s.frames[n-1].Events = append(s.frames[n-1].Events, i)
				continue
			}
			s.plays = append(s.plays, replayFrame{query: query[ev.Sub], obs: []replayObs{o}})
			s.frames = append(s.frames, serve.Frame{At: ev.Time, Events: []int{i}})
		default:
			s.plays = append(s.plays, replayFrame{raw: ev.Raw})
			s.frames = append(s.frames, serve.Frame{At: ev.Time, Events: []int{i}})
		}
	}
	return s
}

func (s *replayScript) Frames() []serve.Frame { return s.frames }

// Accept takes any token but echoes the Bearer subprotocol, as clients require.
func (s *replayScript) Accept(w http.ResponseWriter, r *http.Request) (http.Header, bool) {
	for _, p := range websocket.Subprotocols(r) {
		if strings.HasPrefix(p, "Bearer-") {
			return http.Header{"Sec-Websocket-Protocol": {p}}, true
		}
	}
	return nil, true
}

type replaySock struct {
	script *replayScript
	k      *sock
	last   map[string]map[string]string // subscription id → track → timestamp last sent
}

func (s *replayScript) Open(c *serve.Conn) (serve.ReplaySocket, bool) {
	return &replaySock{script: s, k: &sock{conn: c, subs: map[string]*compiled{}}, last: map[string]map[string]string{}}, false
}

// Handle answers as the demo server does; the playback starts with the first
// subscription that was accepted.
func (r *replaySock) Handle(data []byte) bool {
	r.k.handle(data)
	r.k.mu.Lock()
	defer r.k.mu.Unlock()
	return len(r.k.subs) > 0
}

func (r *replaySock) Play(i int) {
	f := &r.script.plays[i]
	if f.raw != nil {
		r.k.conn.Send(f.raw)
		return
	}
	var frames [][]byte
	r.k.mu.Lock()
	for id, c := range r.k.subs {
		var hit [][]byte
		q, _ := json.Marshal(c.q)
		switch {
		case string(q) == f.query:
			for _, o := range f.obs {
				hit = append(hit, o.raw)
			}
		case !r.script.queries[string(q)]:
			seen := r.last[id]
			if seen == nil {
				seen = map[string]string{}
				r.last[id] = seen
			}
			for _, o := range f.obs {
				if seen[o.obs.TrackID] != o.obs.Timestamp && c.matches(&o.obs, o.ts, o.pt) {
					seen[o.obs.TrackID] = o.obs.Timestamp
					hit = append(hit, o.raw)
				}
			}
		}
		if len(hit) > 0 {
			frames = append(frames, dataFrame(id, hit))
		}
	}
	for id := range r.last {
		if r.k.subs[id] == nil {
			delete(r.last, id)
		}
	}
	r.k.mu.Unlock()
	for _, b := range frames {
		r.k.conn.Send(b)
	}
}

// dataFrame builds a data frame around observations as they were recorded.
func dataFrame(id string, obs [][]byte) []byte {
	b := []byte(`{"type":"data","id":`)
	q, _ := json.Marshal(id)
	b = append(b, q...)
	b = append(b, `,"observations":[`...)
	for i, o := range obs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, o...)
	}
	return append(b, "]}"...)
}
