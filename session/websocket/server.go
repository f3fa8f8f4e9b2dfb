package websocket

import (
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
	gws "github.com/gorilla/websocket"
)

// Path is where the demo serves its plain WebSocket.
const Path = "/websocket"

// Subprotocol is the one the demo offers; a client that asks for it gets it.
const Subprotocol = "feedscope.demo.v1"

// DemoKey is the API key the demo wants in `Authorization: Bearer <key>`.
const DemoKey = "demo-websocket-key"

// Ticker is the channel a client subscribes to for the demo's stream of frames.
const Ticker = "ticker"

// Server is a plain WebSocket feed: it echoes every frame a client sends, and
// streams a mix of JSON (kinds under "type", "event" and "op", and none), plain
// text and binary frames to every socket that sent
// {"type":"subscribe","channel":"ticker"}.
type Server struct {
	Clock serve.Clock
	// Firehose, when set, streams pre-built ticker frames to a socket once it
	// subscribes, instead of the ticker's pace.
	Firehose *serve.Firehose
	conns    serve.Set[sock]
}

type sock struct {
	srv  *Server
	conn *serve.Conn
	mu   sync.Mutex
	tick bool // subscribed to the ticker
}

// ServeHTTP wants the demo key as a Bearer token (401 without it, naming what is
// missing) and answers the demo subprotocol when offered.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(key), []byte(DemoKey)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="feedscope-demo", error="invalid_token"`)
		serve.JSONError(w, http.StatusUnauthorized, map[string]any{"error": "send Authorization: Bearer " + DemoKey})
		return
	}
	up := serve.Upgrader
	up.Subprotocols = []string{Subprotocol}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	k := &sock{srv: s, conn: serve.NewConn(ws, serve.Options{Done: s.Clock.Done, PingEvery: s.Clock.Every(30 * time.Second)})}
	s.conns.Add(k)
	defer s.conns.Remove(k)
	k.conn.SendJSON(map[string]any{"type": "welcome", "subprotocol": ws.Subprotocol(), "session": serve.UUID()})
	k.conn.Serve(k.handle)
}

// handle echoes a frame as it came, then acts on a subscribe or unsubscribe to the
// ticker; nothing a client sends is an error.
func (k *sock) handle(typ int, data []byte) {
	if typ == gws.BinaryMessage {
		k.conn.SendBinary(data)
		return
	}
	k.conn.Send(data)
	var msg struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
	}
	if json.Unmarshal(data, &msg) != nil || msg.Channel != Ticker {
		return
	}
	switch msg.Type {
	case "subscribe":
		k.mu.Lock()
		first := !k.tick
		k.tick = true
		k.mu.Unlock()
		k.conn.SendJSON(map[string]any{"type": "subscribed", "channel": Ticker})
		if first && k.srv != nil && k.srv.Firehose != nil {
			k.conn.Stream(FirehoseFrames(64), k.srv.Firehose)
		}
	case "unsubscribe":
		k.mu.Lock()
		k.tick = false
		k.mu.Unlock()
		k.conn.SendJSON(map[string]any{"type": "unsubscribed", "channel": Ticker})
	}
}

// Frame is one frame of the ticker.
type Frame struct {
	Binary bool
	Data   []byte
}

// Ticks makes the ticker's frames, a seeded random walk cycling through every
// shape a plain WebSocket may carry.
type Ticks struct {
	r     *rand.Rand
	n     int
	price float64
}

// NewTicks starts a ticker.
func NewTicks(seed uint64) *Ticks {
	return &Ticks{r: rand.New(rand.NewPCG(seed, seed+1)), price: 100}
}

// Next returns the next frame.
func (t *Ticks) Next() Frame {
	t.n++
	t.price = math.Round(t.price*(1+0.002*(t.r.Float64()-0.5))*100) / 100
	j := func(v any) Frame { b, _ := json.Marshal(v); return Frame{Data: b} }
	// Structs, not maps: a feed's field order is part of what a summary shows.
	switch t.n % 6 {
	case 1:
		return j(struct {
			Type   string  `json:"type"`
			Seq    int     `json:"seq"`
			Symbol string  `json:"symbol"`
			Price  float64 `json:"price"`
		}{"tick", t.n, "FSC-USD", t.price})
	case 2:
		return j(struct {
			Event string  `json:"event"`
			Seq   int     `json:"seq"`
			Side  string  `json:"side"`
			Size  int     `json:"size"`
			Price float64 `json:"price"`
		}{"trade", t.n, []string{"buy", "sell"}[t.r.IntN(2)], t.r.IntN(90) + 10, t.price})
	case 3:
		return j(struct {
			Op  string `json:"op"`
			Seq int    `json:"seq"`
		}{"heartbeat", t.n})
	case 4:
		return Frame{Data: fmt.Appendf(nil, "plain text #%d: the price is %.2f", t.n, t.price)}
	case 5:
		// A little-endian record: magic, sequence, price in cents.
		b := make([]byte, 16)
		copy(b, "FSC\x01")
		binary.LittleEndian.PutUint32(b[4:], uint32(t.n))
		binary.LittleEndian.PutUint64(b[8:], uint64(t.price*100))
		return Frame{Binary: true, Data: b}
	default:
		return j(struct {
			Seq         int            `json:"seq"`
			Temperature int            `json:"temperature"`
			Nested      map[string]any `json:"nested"`
		}{t.n, 18 + t.r.IntN(8), map[string]any{"ok": true}})
	}
}

// Run sends the ticker to every subscribed socket, a frame every 300–900 ms, until
// stop is closed.
func (s *Server) Run(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(27, 28))
	t := NewTicks(29)
	for serve.Sleep(stop, s.Clock.Between(r, 300*time.Millisecond, 900*time.Millisecond)) {
		f := t.Next()
		for _, k := range s.conns.Snapshot() {
			k.mu.Lock()
			on := k.tick
			k.mu.Unlock()
			switch {
			case !on:
			case f.Binary:
				k.conn.SendBinary(f.Data)
			default:
				k.conn.Send(f.Data)
			}
		}
	}
}

// FirehoseFrames builds n ticker frames; the firehose streams text frames only,
// so binary ones are left out.
func FirehoseFrames(n int) [][]byte {
	t := NewTicks(31)
	out := make([][]byte, 0, n)
	for len(out) < n {
		if f := t.Next(); !f.Binary {
			out = append(out, f.Data)
		}
	}
	return out
}

// DropAll cuts every connection without a close frame and returns how many.
func (s *Server) DropAll() int { return s.conns.Each(func(k *sock) { k.conn.Drop() }) }

// The demo mounts the feed at Path; its ready profile carries the key as a header
// (a secret, as a real API key would be), asks for the subprotocol and subscribes to
// the ticker.
func init() {
	serve.Register(serve.Mount{Dialect: Name, Firehose: true, New: func(env serve.Env) serve.Demo {
		s := &Server{Clock: env.Clock, Firehose: env.Firehose}
		return serve.Demo{Handler: s, Paths: []string{Path}, Run: s.Run, DropAll: s.DropAll, Endpoint: Path,
			Profile: session.Profile{URL: Path,
				Headers: map[string]string{"Authorization": "Bearer " + DemoKey}, HeaderNames: []string{"Authorization"},
				Subprotocols: []string{Subprotocol},
				Subs:         []json.RawMessage{json.RawMessage(`{"type":"subscribe","channel":"` + Ticker + `"}`)}}}
	}})
}
