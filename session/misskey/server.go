package misskey

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// Path is where the demo serves the streaming API.
const Path = "/streaming"

// Limits of recent Misskey builds.
const (
	maxConnections = 32
	maxNoteSubs    = 100
	statsHistory   = 200
)

// Server simulates a Misskey instance's streaming endpoint.
type Server struct {
	Clock serve.Clock
	conns serve.Set[sock]
	// Firehose, when set, streams notes to a socket's first channel connection
	// instead of the simulation's pace.
	Firehose *serve.Firehose

	mu         sync.Mutex
	statsLog   []map[string]any // newest first
	queueLog   []map[string]any
	recentNote []string
}

type sock struct {
	conn  *serve.Conn
	login bool
	mu    sync.Mutex
	chans map[string]*chanConn // by connection id
	notes map[string]int       // note id → subNote count
	order []string             // note ids, oldest first, for the LRU cap
}

type chanConn struct {
	name   string
	params map[string]json.RawMessage
}

// ServeHTTP authenticates before the upgrade, as the real server does: a Bearer
// header wins over `i`; the demo refuses only the token "bad".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("i")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if token == "bad" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Misskey", error="invalid_token", error_description="Invalid token"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	ws, err := serve.Upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	k := &sock{conn: serve.NewConn(ws, serve.Options{Done: s.Clock.Done, PingEvery: s.Clock.Every(60 * time.Second)}),
		login: token != "", chans: map[string]*chanConn{}, notes: map[string]int{}}
	s.conns.Add(k)
	defer s.conns.Remove(k)
	k.conn.Serve(func(typ int, data []byte) { s.handle(k, data) })
}

// handle applies one client message; anything invalid is dropped silently, as the
// protocol has no error message.
func (s *Server) handle(k *sock, data []byte) {
	var env envelope
	if json.Unmarshal(data, &env) != nil {
		return // `h`, `ping` and other non-JSON text are ignored
	}
	switch env.Type {
	case "connect":
		s.connect(k, env.Body)
	case "disconnect":
		var b struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(env.Body, &b) == nil {
			k.mu.Lock()
			delete(k.chans, b.ID)
			k.mu.Unlock()
		}
	case "channel", "ch":
		var b channelBody
		if len(env.Body) == 0 || json.Unmarshal(env.Body, &b) != nil {
			return
		}
		k.mu.Lock()
		c := k.chans[b.ID]
		k.mu.Unlock()
		// Newer builds drop a channel message that has no body.
		if c != nil && b.Type == "requestLog" && len(b.Body) > 0 && string(b.Body) != "null" {
			s.requestLog(k, b.ID, c.name, b.Body)
		}
	case "subNote", "s", "sr":
		if id := noteID(env.Body); id != "" {
			k.subNote(id)
		}
	case "unsubNote", "un":
		if id := noteID(env.Body); id != "" {
			k.unsubNote(id)
		}
	case "readNotification":
		// Marks everything read for logged-in sockets; the demo keeps no unread state.
	}
}

func noteID(body json.RawMessage) string {
	var b struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &b)
	return b.ID
}

func (k *sock) subNote(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.notes[id] == 0 {
		k.order = append(k.order, id)
		if len(k.order) > maxNoteSubs {
			delete(k.notes, k.order[0]) // evict the least recently captured
			k.order = k.order[1:]
		}
	}
	k.notes[id]++
}

// unsubNote releases one capture; the last release stops the note's updates.
func (k *sock) unsubNote(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.notes[id] == 0 {
		return
	}
	if k.notes[id]--; k.notes[id] > 0 {
		return
	}
	delete(k.notes, id)
	for i, o := range k.order {
		if o == id {
			k.order = append(k.order[:i:i], k.order[i+1:]...)
			break
		}
	}
}

// connect validates a connect body the way newer builds do before joining.
func (s *Server) connect(k *sock, raw json.RawMessage) {
	var b map[string]json.RawMessage
	if json.Unmarshal(raw, &b) != nil {
		return
	}
	var id, name string
	if json.Unmarshal(b["id"], &id) != nil || json.Unmarshal(b["channel"], &name) != nil {
		return
	}
	pong := false
	if p, ok := b["pong"]; ok && string(p) != "null" {
		if json.Unmarshal(p, &pong) != nil {
			return
		}
	}
	params := map[string]json.RawMessage{}
	if p, ok := b["params"]; ok {
		if string(p) == "null" || json.Unmarshal(p, &params) != nil {
			return
		}
	}
	ch, known := LookupChannel(name)
	if !known || ch.Login && !k.login {
		return
	}
	k.mu.Lock()
	if ch.Shared {
		for _, c := range k.chans {
			if c.name == name {
				k.mu.Unlock()
				return
			}
		}
	}
	if _, replacing := k.chans[id]; !replacing && len(k.chans) >= maxConnections {
		k.mu.Unlock()
		return
	}
	first := len(k.chans) == 0
	k.chans[id] = &chanConn{name: name, params: params}
	k.mu.Unlock()
	if first && s.Firehose != nil {
		defer k.conn.Stream(FirehoseFrames(id, firehoseNotes), s.Firehose)
	}
	if pong {
		k.conn.SendJSON(map[string]any{"type": "connected", "body": map[string]any{"id": id}})
	}
}

// requestLog answers a stats channel's history request as the real daemons do:
// serverStats slices its 200-entry log by length (all of it when length is absent,
// packages/backend/src/daemons/ServerStatsService.ts); newer queueStats ignores a
// request whose id is not a string or whose length is not a number
// (packages/backend/src/server/api/stream/channels/queue-stats.ts).
func (s *Server) requestLog(k *sock, connID, channel string, body json.RawMessage) {
	var req struct {
		ID     any  `json:"id"`
		Length *int `json:"length"`
	}
	if json.Unmarshal(body, &req) != nil {
		return
	}
	s.mu.Lock()
	var src []map[string]any
	switch channel {
	case "serverStats":
		src = s.statsLog
	case "queueStats":
		if _, ok := req.ID.(string); !ok || req.Length == nil {
			s.mu.Unlock()
			return
		}
		src = s.queueLog
	default:
		s.mu.Unlock()
		return
	}
	n := len(src)
	if req.Length != nil {
		n = max(0, min(*req.Length, n))
	}
	logs := append([]map[string]any{}, src[:n]...)
	s.mu.Unlock()
	sendChannel(k, connID, "statsLog", logs)
}

func sendChannel(k *sock, connID, typ string, body any) {
	k.conn.SendJSON(map[string]any{"type": "channel", "body": map[string]any{"id": connID, "type": typ, "body": body}})
}

// each calls f for every connection of every socket whose channel is one of names.
func (s *Server) each(f func(k *sock, id string, c *chanConn), names ...string) {
	for _, k := range s.conns.Snapshot() {
		k.mu.Lock()
		var hits []func()
		for id, c := range k.chans {
			for _, n := range names {
				if c.name == n {
					id, c := id, c
					hits = append(hits, func() { f(k, id, c) })
				}
			}
		}
		k.mu.Unlock()
		for _, h := range hits {
			h()
		}
	}
}

// Run drives the simulated instance until stop is closed.
func (s *Server) Run(stop <-chan struct{}) {
	var wg sync.WaitGroup
	loops := []func(<-chan struct{}){s.runNotes, s.runStats, s.runQueue, s.runNoteUpdates, s.runMain}
	for _, loop := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); loop(stop) }()
	}
	wg.Wait()
}

var (
	people = []UserLite{
		{ID: "9abc000001", Name: "Alice", Username: "alice"},
		{ID: "9abc000002", Name: "Bob Tanaka", Username: "bob"},
		{ID: "9abc000003", Name: "カナ", Username: "kana"},
		{ID: "9abc000004", Name: "Gopher", Username: "gopher", Host: ptr("go.social")},
		{ID: "9abc000005", Name: "Ren", Username: "ren_dev"},
	}
	lines = []string{
		"hello #demo", "Just shipped a new #fyne build 🎉 #go", "Coffee first, then #misskey",
		"Anyone else seeing slow federation today? #misskey #admin", "Reading about #websocket close codes",
		"Sunset from the roof 🌇 #photo", "Benchmarks look good: 2x faster #go", "おはようございます #demo",
		"Trying the new hashtag timeline #fyne #misskey",
	}
	reactions = []string{"👍", "❤️", "🎉", ":like@.:", "😆", "🤔"}
)

func ptr[T any](v T) *T { return &v }

// NewID returns a Misskey "aid"-looking id: base36 time plus random.
func NewID(r *rand.Rand) string {
	t := strconv.FormatInt(time.Now().UnixMilli()-946684800000, 36)
	return (t + strconv.FormatInt(r.Int64N(1<<40), 36) + "0000000000")[:10]
}

func (s *Server) runNotes(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 0
	for serve.Sleep(stop, s.Clock.Between(r, time.Second, 3*time.Second)) {
		n++
		note := s.newNote(r)
		s.each(func(k *sock, id string, c *chanConn) {
			if noteMatches(c, note, n) {
				sendChannel(k, id, "note", note)
			}
		}, "localTimeline", "globalTimeline", "hybridTimeline", "homeTimeline", "hashtag", "userList", "antenna", "roleTimeline", "channel")
	}
}

func (s *Server) newNote(r *rand.Rand) map[string]any {
	u := people[r.IntN(len(people))]
	text := lines[r.IntN(len(lines))]
	var tags []string
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "#") {
			tags = append(tags, strings.ToLower(strings.TrimPrefix(w, "#")))
		}
	}
	id := NewID(r)
	note := map[string]any{
		"id": id, "createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "userId": u.ID,
		"user": map[string]any{"id": u.ID, "name": u.Name, "username": u.Username, "host": u.Host,
			"avatarUrl": "https://misskey.local/identicon/" + u.Username, "avatarBlurhash": nil,
			"avatarDecorations": []any{}, "emojis": map[string]any{}, "onlineStatus": "online"},
		"text": text, "cw": nil, "visibility": "public", "localOnly": false, "reactionAcceptance": nil,
		"renoteCount": r.IntN(5), "repliesCount": r.IntN(3), "reactionCount": 1,
		"reactions": map[string]int{reactions[r.IntN(len(reactions))]: 1}, "reactionEmojis": map[string]any{},
		"fileIds": []string{}, "files": []any{}, "replyId": nil, "renoteId": nil,
	}
	if len(tags) > 0 { // the real pack leaves tags out when there are none
		note["tags"] = tags
	}
	s.mu.Lock()
	switch x := r.IntN(10); {
	case x == 0 && len(s.recentNote) > 0:
		note["renoteId"], note["text"] = s.recentNote[r.IntN(len(s.recentNote))], nil
	case x == 1 && len(s.recentNote) > 0:
		note["replyId"] = s.recentNote[r.IntN(len(s.recentNote))]
	case x == 2:
		fid := NewID(r)
		note["fileIds"] = []string{fid}
		note["files"] = []any{map[string]any{"id": fid, "name": "photo.jpg", "type": "image/jpeg", "size": 183211}}
	}
	s.recentNote = append(s.recentNote, id)
	if len(s.recentNote) > 50 {
		s.recentNote = s.recentNote[1:]
	}
	s.mu.Unlock()
	return note
}

// noteMatches applies a timeline's parameters (with the real defaults) to a note.
func noteMatches(c *chanConn, note map[string]any, n int) bool {
	flag := func(name string, def bool) bool {
		v := def
		if raw, ok := c.params[name]; ok {
			_ = json.Unmarshal(raw, &v)
		}
		return v
	}
	isRenote := note["renoteId"] != nil
	isReply := note["replyId"] != nil
	hasFiles := len(note["fileIds"].([]string)) > 0
	switch c.name {
	case "hashtag":
		var q [][]string
		_ = json.Unmarshal(c.params["q"], &q)
		tags, _ := note["tags"].([]string)
		return MatchHashtags(q, tags)
	case "userList", "antenna", "roleTimeline", "channel":
		return n%3 == 0
	}
	if isRenote && !flag("withRenotes", true) {
		return false
	}
	if isReply && (c.name == "localTimeline" || c.name == "hybridTimeline") && !flag("withReplies", false) {
		return false
	}
	if flag("withFiles", false) && !hasFiles {
		return false
	}
	return true
}

// MatchHashtags applies a hashtag channel's q: an OR of AND-groups of tags.
func MatchHashtags(q [][]string, tags []string) bool {
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.ToLower(t)] = true
	}
	for _, group := range q {
		all := len(group) > 0
		for _, t := range group {
			// The tag is compared as given: the real channel does not strip a '#'
			// (packages/backend/src/server/api/stream/channels/hashtag.ts).
			if !has[strings.ToLower(t)] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (s *Server) runStats(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(5, 6))
	cpu := 0.12
	for serve.Sleep(stop, s.Clock.Every(2*time.Second)) {
		cpu = min(0.95, max(0.02, cpu+(r.Float64()-0.5)*0.08))
		st := map[string]any{
			"cpu": round3(cpu),
			"mem": map[string]any{"used": 3.2e9 + r.Float64()*2e8, "active": 2.9e9 + r.Float64()*2e8},
			"net": map[string]any{"rx": round1(1200 + r.Float64()*800), "tx": round1(600 + r.Float64()*500)},
			"fs":  map[string]any{"r": round1(r.Float64() * 5), "w": round1(r.Float64() * 9)},
		}
		s.mu.Lock()
		s.statsLog = append([]map[string]any{st}, s.statsLog...)
		if len(s.statsLog) > statsHistory {
			s.statsLog = s.statsLog[:statsHistory]
		}
		s.mu.Unlock()
		s.each(func(k *sock, id string, c *chanConn) { sendChannel(k, id, "stats", st) }, "serverStats")
	}
}

func (s *Server) runQueue(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(7, 8))
	q := func() map[string]any {
		return map[string]any{"activeSincePrevTick": r.IntN(20), "active": r.IntN(4), "waiting": r.IntN(3), "delayed": r.IntN(5)}
	}
	for serve.Sleep(stop, s.Clock.Every(10*time.Second)) {
		st := map[string]any{"deliver": q(), "inbox": q()}
		s.mu.Lock()
		s.queueLog = append([]map[string]any{st}, s.queueLog...)
		if len(s.queueLog) > statsHistory {
			s.queueLog = s.queueLog[:statsHistory]
		}
		s.mu.Unlock()
		s.each(func(k *sock, id string, c *chanConn) { sendChannel(k, id, "stats", st) }, "queueStats")
	}
}

// runNoteUpdates sends reactions (and now and then a delete or a poll vote) for the
// notes each socket has captured.
func (s *Server) runNoteUpdates(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(9, 10))
	for serve.Sleep(stop, s.Clock.Between(r, time.Second, 3*time.Second)) {
		for _, k := range s.conns.Snapshot() {
			k.mu.Lock()
			ids := append([]string(nil), k.order...)
			k.mu.Unlock()
			if len(ids) == 0 {
				continue
			}
			id := ids[r.IntN(len(ids))]
			u := people[r.IntN(len(people))]
			var typ string
			var body map[string]any
			switch x := r.IntN(20); {
			case x == 0:
				typ, body = "deleted", map[string]any{"deletedAt": time.Now().UTC().Format(time.RFC3339Nano)}
			case x < 3:
				typ, body = "pollVoted", map[string]any{"choice": r.IntN(3), "userId": u.ID}
			case x < 6:
				typ, body = "unreacted", map[string]any{"reaction": reactions[r.IntN(len(reactions))], "userId": u.ID}
			default:
				typ, body = "reacted", map[string]any{"reaction": reactions[r.IntN(len(reactions))], "emoji": nil, "userId": u.ID}
			}
			k.conn.SendJSON(map[string]any{"type": "noteUpdated", "body": map[string]any{"id": id, "type": typ, "body": body}})
		}
	}
}

// runMain sends notifications to logged-in sockets on `main`, and now and then an
// emoji broadcast to everyone.
func (s *Server) runMain(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(11, 12))
	n := 0
	for serve.Sleep(stop, s.Clock.Between(r, 3*time.Second, 9*time.Second)) {
		n++
		u := people[r.IntN(len(people))]
		kind := []string{"mention", "reply", "renote", "follow", "reaction"}[r.IntN(5)]
		notif := map[string]any{"id": NewID(r), "createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
			"type": kind, "userId": u.ID, "user": map[string]any{"id": u.ID, "name": u.Name, "username": u.Username, "host": u.Host}}
		if kind != "follow" {
			notif["note"] = s.newNote(r)
		}
		if kind == "reaction" {
			notif["reaction"] = reactions[r.IntN(len(reactions))]
		}
		s.each(func(k *sock, id string, c *chanConn) {
			sendChannel(k, id, "notification", notif)
			if kind == "mention" {
				sendChannel(k, id, "mention", notif["note"])
			}
			if kind == "follow" {
				sendChannel(k, id, "followed", notif["user"])
			}
		}, "main")
		if n%10 == 0 {
			emoji := map[string]any{"id": NewID(r), "name": fmt.Sprintf("blobcat_%d", n), "category": "blobs",
				"aliases": []string{"cat"}, "url": "https://misskey.local/emoji/blobcat.webp"}
			for _, k := range s.conns.Snapshot() {
				k.conn.SendJSON(map[string]any{"type": "emojiAdded", "body": map[string]any{"emoji": emoji}})
			}
		}
	}
}

func round1(x float64) float64 { return float64(int(x*10)) / 10 }
func round3(x float64) float64 { return float64(int(x*1000)) / 1000 }

// firehoseNotes is how many distinct notes the firehose cycles through: about
// 700 KB of them, so that a compressor looking back over the last 64 KB (the
// ring's, see session/arena.go) finds no note it has already seen, as on a real
// timeline.
const firehoseNotes = 1024

// FirehoseFrames builds n realistic note frames (about 1 KB each) for connection id.
func FirehoseFrames(id string, n int) [][]byte {
	s := &Server{}
	r := rand.New(rand.NewPCG(23, 24))
	frames := make([][]byte, n)
	for i := range frames {
		note := s.newNote(r)
		if text, ok := note["text"].(string); ok { // renotes have none
			note["text"] = text + " — " + lines[r.IntN(len(lines))] + " " + lines[r.IntN(len(lines))]
		}
		frames[i], _ = json.Marshal(map[string]any{"type": "channel", "body": map[string]any{"id": id, "type": "note", "body": note}})
	}
	return frames
}

// DropAll cuts every connection without a close frame and returns how many.
func (s *Server) DropAll() int { return s.conns.Each(func(k *sock) { k.conn.Drop() }) }

// The demo mounts the streaming API at Path; any token but "bad" logs in.
func init() {
	serve.Register(serve.Mount{Dialect: Name, Firehose: true, New: func(env serve.Env) serve.Demo {
		s := &Server{Clock: env.Clock, Firehose: env.Firehose}
		return serve.Demo{Handler: s, Paths: []string{Path}, Run: s.Run, DropAll: s.DropAll, Endpoint: Path,
			Profile: session.Profile{URL: Path, Token: "demo-token", Subs: []json.RawMessage{
				json.RawMessage(`{"channel":"localTimeline"}`), json.RawMessage(`{"channel":"serverStats"}`)}}}
	}})
}
