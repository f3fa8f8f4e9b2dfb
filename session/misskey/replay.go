package misskey

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// A replay keeps the socket's channel connections under the subscriber's own ids: a
// recorded channel message goes to every connection of the same channel, its id
// rewritten, from the recorded connection whose params equal the subscriber's (or
// the channel's first, filtered by the hashtag query where there is one).
// noteUpdated goes to sockets that captured the note; anything else to every socket.
func init() {
	serve.RegisterReplay(serve.Replay{Dialect: Name, Path: Path, Prepare: prepareReplay})
}

type replayScript struct {
	frames []serve.Frame
	plays  []replayFrame
	conns  map[string]recordedConn // recorded connection id → what it joined
}

type recordedConn struct {
	channel, params string
}

type replayFrame struct {
	kind string // "channel", "noteUpdated" or "" (to everyone)
	id   string // the recorded connection id, or the note id
	tags []string
	raw  []byte
}

// paramsKey canonicalises connect params: absent, null and {} are the same.
func paramsKey(p json.RawMessage) string {
	var m map[string]any
	if len(p) == 0 || json.Unmarshal(p, &m) != nil || len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func prepareReplay(evs []session.Event) serve.Script {
	s := &replayScript{conns: map[string]recordedConn{}}
	for i, ev := range evs {
		var env envelope
		if len(ev.Raw) == 0 || json.Unmarshal(ev.Raw, &env) != nil {
			continue
		}
		if ev.Dir == session.DirOut {
			if env.Type == "connect" {
				var b struct {
					ID      string          `json:"id"`
					Channel string          `json:"channel"`
					Params  json.RawMessage `json:"params"`
				}
				if json.Unmarshal(env.Body, &b) == nil && b.ID != "" {
					s.conns[b.ID] = recordedConn{channel: b.Channel, params: paramsKey(b.Params)}
				}
			}
			continue
		}
		if ev.Dir != session.DirIn || env.Type == "connected" {
			continue // the replay answers connect itself
		}
		f := replayFrame{raw: ev.Raw}
		switch env.Type {
		case "channel":
			var b channelBody
			if json.Unmarshal(env.Body, &b) != nil {
				continue
			}
			var n Note
			if b.Type == "note" && json.Unmarshal(b.Body, &n) == nil {
				f.tags = n.Tags
			}
			f.kind, f.id = "channel", b.ID
		case "noteUpdated":
			f.kind, f.id = "noteUpdated", noteID(env.Body)
		}
		s.plays = append(s.plays, f)
		s.frames = append(s.frames, serve.Frame{At: ev.Time, Events: []int{i}})
	}
	return s
}

func (s *replayScript) Frames() []serve.Frame { return s.frames }

// Accept takes any token: the replay holds nothing to protect.
func (s *replayScript) Accept(http.ResponseWriter, *http.Request) (http.Header, bool) {
	return nil, true
}

type replaySock struct {
	script *replayScript
	conn   *serve.Conn
	mu     sync.Mutex
	chans  map[string]replayConn // the subscriber's connection id → its source
	notes  map[string]int
}

type replayConn struct {
	source string // the recorded connection it plays
	q      [][]string
	filter bool // a hashtag connection whose query differs from the recorded one
}

func (s *replayScript) Open(c *serve.Conn) (serve.ReplaySocket, bool) {
	return &replaySock{script: s, conn: c, chans: map[string]replayConn{}, notes: map[string]int{}}, false
}

// source picks the recorded connection a new one plays: the same channel with the
// same params, else the channel's first.
func (s *replayScript) source(channel, params string) (string, bool) {
	first := ""
	for id, c := range s.conns {
		if c.channel != channel {
			continue
		}
		if c.params == params {
			return id, true
		}
		if first == "" || id < first {
			first = id
		}
	}
	return first, false
}

// Handle applies connect, disconnect, subNote and unsubNote as the demo does; the
// playback starts with the first of them.
func (r *replaySock) Handle(data []byte) bool {
	var env envelope
	if json.Unmarshal(data, &env) != nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch env.Type {
	case "connect":
		var b struct {
			ID      string          `json:"id"`
			Channel string          `json:"channel"`
			Params  json.RawMessage `json:"params"`
			Pong    bool            `json:"pong"`
		}
		if json.Unmarshal(env.Body, &b) != nil || b.ID == "" {
			break
		}
		if _, known := LookupChannel(b.Channel); !known {
			break
		}
		c := replayConn{}
		var same bool
		c.source, same = r.script.source(b.Channel, paramsKey(b.Params))
		if b.Channel == "hashtag" && !same {
			var p struct {
				Q [][]string `json:"q"`
			}
			_ = json.Unmarshal(b.Params, &p)
			c.q, c.filter = p.Q, true
		}
		r.chans[b.ID] = c
		if b.Pong {
			r.conn.SendJSON(map[string]any{"type": "connected", "body": map[string]any{"id": b.ID}})
		}
	case "disconnect":
		delete(r.chans, noteID(env.Body))
	case "subNote", "s", "sr":
		if id := noteID(env.Body); id != "" {
			r.notes[id]++
		}
	case "unsubNote", "un":
		if id := noteID(env.Body); id != "" {
			if r.notes[id]--; r.notes[id] <= 0 {
				delete(r.notes, id)
			}
		}
	}
	return len(r.chans) > 0 || len(r.notes) > 0
}

func (r *replaySock) Play(i int) {
	f := &r.script.plays[i]
	var out [][]byte
	r.mu.Lock()
	switch f.kind {
	case "channel":
		for id, c := range r.chans {
			if c.source != f.id || c.filter && !MatchHashtags(c.q, f.tags) {
				continue
			}
			q, _ := json.Marshal(id)
			if b, ok := serve.ReplaceValue(f.raw, []string{"body", "id"}, q); ok {
				out = append(out, b)
			}
		}
	case "noteUpdated":
		if r.notes[f.id] > 0 {
			out = append(out, f.raw)
		}
	default:
		out = append(out, f.raw)
	}
	r.mu.Unlock()
	for _, b := range out {
		r.conn.Send(b)
	}
}
