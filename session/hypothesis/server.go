package hypothesis

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
	"github.com/gorilla/websocket"
)

// Path is where the demo serves the streamer.
const Path = "/ws"

// Server simulates the h streamer: annotation events for matching filters, the four
// message types and their legacy shapes, replies only to numeric ids.
type Server struct {
	Clock serve.Clock
	conns serve.Set[sock]
	// PongEvery is the unsolicited pong heartbeat (30 s on the real server).
	PongEvery time.Duration
	// Firehose, when set, streams annotations to every socket once it has a filter,
	// instead of the simulation's pace.
	Firehose *serve.Firehose
}

type sock struct {
	srv      *Server
	conn     *serve.Conn
	userid   string // "" when anonymous
	mu       sync.Mutex
	filter   *Filter
	clientID *string
}

// ServeHTTP accepts a socket: the token from `access_token` (which wins) or a Bearer
// header; an unknown token leaves the socket anonymous rather than failing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("access_token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	ws, err := serve.Upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	pong := s.PongEvery
	if pong == 0 {
		pong = s.Clock.Every(30 * time.Second)
	}
	k := &sock{srv: s, conn: serve.NewConn(ws, serve.Options{Done: s.Clock.Done, PongEvery: pong})}
	if token != "" && token != "bad" {
		k.userid = "acct:demo@localhost"
	}
	s.conns.Add(k)
	defer s.conns.Remove(k)
	k.conn.Serve(func(typ int, data []byte) { k.handle(data) })
}

// handle answers one client frame as h/streamer/websocket.py does.
func (k *sock) handle(data []byte) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		k.conn.Close(websocket.CloseNormalClosure, "invalid message format")
		return
	}
	msg, ok := v.(map[string]any)
	if !ok {
		return // the real worker breaks on a non-object; the demo just ignores it
	}
	if _, has := msg["type"]; !has {
		if mt, has := msg["messageType"]; has {
			msg["type"] = mt
		} else if _, has := msg["filter"]; has {
			msg["type"] = "filter"
		}
	}
	id, numeric := msg["id"].(float64)
	reply := func(m map[string]any) {
		if numeric {
			m["reply_to"] = replyID(id)
			k.conn.SendJSON(m)
		}
	}
	fail := func(typ, desc string) {
		reply(map[string]any{"type": "error", "error": map[string]any{"type": typ, "description": desc}, "ok": false})
	}
	switch t := msg["type"]; t {
	case "ping":
		reply(map[string]any{"type": "pong", "ok": true})
	case "whoami":
		var uid any
		if k.userid != "" {
			uid = k.userid
		}
		reply(map[string]any{"type": "whoyouare", "userid": uid, "ok": true})
	case "client_id":
		if _, has := msg["value"]; !has {
			fail("invalid_data", `"value" is missing`) // h/streamer/websocket.py
			return
		}
		if s, ok := msg["value"].(string); ok {
			k.mu.Lock()
			k.clientID = &s
			k.mu.Unlock()
		}
	case "filter":
		raw, has := msg["filter"]
		if !has {
			fail("invalid_data", `"filter" is missing`)
			return
		}
		b, _ := json.Marshal(raw)
		f, err := ParseFilter(b)
		if err != nil {
			if ce, ok := err.(*ClauseError); ok {
				fail("invalid_data", fmt.Sprintf("%q is missing", ce.Key))
			} else {
				fail("invalid_data", "failed to parse filter")
			}
			return
		}
		k.mu.Lock()
		first := k.filter == nil
		k.filter = f
		k.mu.Unlock()
		if first && k.srv != nil && k.srv.Firehose != nil {
			k.conn.Stream(FirehoseFrames(64), k.srv.Firehose)
		}
	default:
		name, _ := json.Marshal(t)
		fail("invalid_type", "invalid message type: "+string(name))
	}
}

// replyID keeps integral ids integral on the way back.
func replyID(id float64) any {
	if id == float64(int64(id)) {
		return int64(id)
	}
	return id
}

// Matches reports whether a filter lets an annotation through: OR over every
// (field, value) pair; no filter or no clauses lets nothing through.
func (f *Filter) Matches(a *Annotation) bool {
	if f == nil {
		return false
	}
	for _, c := range f.Clauses {
		if !honoured[c.Field] {
			continue
		}
		vals, _ := c.Values()
		for _, v := range vals {
			switch c.Field {
			case "/id":
				if v == a.ID {
					return true
				}
			case "/group":
				if v == a.Group {
					return true
				}
			case "/uri":
				if NormalizeURI(v) == NormalizeURI(a.URI) {
					return true
				}
			case "/references":
				for _, r := range a.References {
					if r == v {
						return true
					}
				}
			}
		}
	}
	return false
}

// NormalizeURI makes equivalent URIs compare equal the way the demo needs: case of
// scheme and host, a trailing slash, a fragment, and a version suffix `:v1` on the
// whole value.
func NormalizeURI(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimSpace(s))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme == "http" {
		u.Scheme = "https"
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u.String()
}

// Run generates annotation activity until stop is closed.
func (s *Server) Run(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(1, 2))
	var live []map[string]any
	n := 0
	for serve.Sleep(stop, s.Clock.Between(r, time.Second, 5*time.Second)) {
		action := "create"
		var ann map[string]any
		switch x := r.IntN(10); {
		case x < 2 && len(live) > 0:
			action = "update"
			ann = live[r.IntN(len(live))]
			ann["text"] = pick(r, texts) + " (edited)"
			ann["updated"] = stamp()
		case x < 3 && len(live) > 0:
			action = "delete"
			i := r.IntN(len(live))
			ann = live[i]
			live = append(live[:i], live[i+1:]...)
		default:
			n++
			ann = newAnnotation(r, n, live)
			live = append(live, ann)
			if len(live) > 50 {
				live = live[1:]
			}
		}
		s.publish(action, ann, "writer-"+fmt.Sprint(r.Uint64()))
		if r.IntN(8) == 0 {
			s.sessionChange(r)
		}
	}
}

// publish sends one change to every socket whose filter matches it, except the one
// whose client id made the write (None equals None, as on the real server).
func (s *Server) publish(action string, ann map[string]any, writer string) {
	b, _ := json.Marshal(ann)
	var a Annotation
	_ = json.Unmarshal(b, &a)
	payload := []any{ann}
	if action == "delete" {
		payload = []any{map[string]any{"id": a.ID}}
	}
	frame, _ := json.Marshal(map[string]any{"type": "annotation-notification", "options": map[string]any{"action": action}, "payload": payload})
	for _, k := range s.conns.Snapshot() {
		k.mu.Lock()
		ok := k.filter.Matches(&a) && !(k.clientID != nil && *k.clientID == writer)
		k.mu.Unlock()
		if ok {
			k.conn.Send(frame)
		}
	}
}

func (s *Server) sessionChange(r *rand.Rand) {
	action := []string{"group-join", "group-leave"}[r.IntN(2)]
	for _, k := range s.conns.Snapshot() {
		if k.userid == "" {
			continue
		}
		k.conn.SendJSON(map[string]any{"type": "session-change", "action": action, "model": map[string]any{
			"userid": k.userid, "groups": []any{map[string]any{"id": "__world__", "name": "Public"}, map[string]any{"id": "Fyn3Dev", "name": "Fyne developers"}},
			"features": map[string]any{}, "preferences": map[string]any{}}})
	}
}

func stamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00") }

var (
	users = []struct{ name, display string }{
		{"alice", "Alice Moreau"}, {"bkwan", "Ben Kwan"}, {"chidi_o", "Chidi Okafor"},
		{"dana.s", "Dana Silva"}, {"eriksson", "Lars Eriksson"}, {"fatima_r", "Fatima Rahman"},
	}
	docs = []struct{ uri, title string }{
		{"https://example.com/post", "Example post"},
		{"https://en.wikipedia.org/wiki/WebSocket", "WebSocket - Wikipedia"},
		{"https://www.rfc-editor.org/rfc/rfc6455", "RFC 6455: The WebSocket Protocol"},
		{"https://go.dev/blog/pipelines", "Go Concurrency Patterns: Pipelines and cancellation"},
		{"https://www.nature.com/articles/d41586-024-00001-2", "How open annotation changes peer review"},
		{"https://arxiv.org/abs/1706.03762", "Attention Is All You Need"},
	}
	texts = []string{
		"Nice point", "This contradicts section 4.", "Source needed for this claim.",
		"See also the errata for this paragraph.", "Great summary of the trade-offs.",
		"The close handshake is described more precisely in 7.1.2.", "Typo: 'recieve'.",
		"Why not use a bounded buffer here?", "This figure is from the 2019 survey.",
	}
	quotes = []string{"quoted words", "the server MUST close the connection", "a goroutine per connection", "results were not significant"}
	tags   = []string{"demo", "review", "question", "citation", "todo", "websocket"}
	groups = []string{"__world__", "__world__", "__world__", "Fyn3Dev"}
)

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

func newAnnotation(r *rand.Rand, n int, live []map[string]any) map[string]any {
	u := users[r.IntN(len(users))]
	d := docs[r.IntN(len(docs))]
	group := groups[r.IntN(len(groups))]
	id := fmt.Sprintf("Qk7n%04dEe-%s", n, strings.ToUpper(fmt.Sprintf("%08x", r.Uint32()))[:6])
	acct := "acct:" + u.name + "@hypothes.is"
	now := stamp()
	ann := map[string]any{
		"id": id, "created": now, "updated": now, "user": acct, "uri": d.uri,
		"text": pick(r, texts), "tags": []string{pick(r, tags)}, "group": group,
		"moderation_status": "APPROVED",
		"permissions":       map[string]any{"read": []string{"group:" + group}, "admin": []string{acct}, "update": []string{acct}, "delete": []string{acct}},
		"target": []any{map[string]any{"source": d.uri, "selector": []any{map[string]any{
			"type": "TextQuoteSelector", "exact": pick(r, quotes), "prefix": "before ", "suffix": " after"}}}},
		"document": map[string]any{"title": []string{d.title}},
		"links": map[string]any{
			"html":      "https://hypothes.is/a/" + id,
			"incontext": "https://hyp.is/" + id + "/" + strings.TrimPrefix(d.uri, "https://"),
			"json":      "https://hypothes.is/api/annotations/" + id},
		"mentions": []any{}, "user_info": map[string]any{"display_name": u.display},
		"flagged": false, "hidden": false, "actions": []any{},
	}
	if len(live) > 0 && r.IntN(3) == 0 {
		parent := live[r.IntN(len(live))]
		ann["references"] = []string{parent["id"].(string)}
		ann["uri"] = parent["uri"]
	}
	return ann
}

// FirehoseFrames builds n realistic annotation-notification frames.
func FirehoseFrames(n int) [][]byte {
	r := rand.New(rand.NewPCG(21, 22))
	frames := make([][]byte, n)
	var live []map[string]any
	for i := range frames {
		ann := newAnnotation(r, i, live)
		live = append(live, ann)
		frames[i], _ = json.Marshal(map[string]any{"type": "annotation-notification", "options": map[string]any{"action": "create"}, "payload": []any{ann}})
	}
	return frames
}

// DropAll cuts every connection without a close frame and returns how many.
func (s *Server) DropAll() int { return s.conns.Each(func(k *sock) { k.conn.Drop() }) }

// The demo mounts the streamer at Path; any token but "bad" is a logged-in user.
func init() {
	serve.Register(serve.Mount{Dialect: Name, Firehose: true, New: func(env serve.Env) serve.Demo {
		s := &Server{Clock: env.Clock, PongEvery: env.PongEvery, Firehose: env.Firehose}
		return serve.Demo{Handler: s, Paths: []string{Path}, Run: s.Run, DropAll: s.DropAll, Endpoint: Path,
			Profile: session.Profile{URL: Path, Token: "demo-token", Subs: []json.RawMessage{
				json.RawMessage(`{"match_policy":"include_any","clauses":[{"field":"/group","operator":"equals","value":"__world__","case_sensitive":false}],"actions":{"create":true,"update":true,"delete":true}}`)}}}
	}})
}
