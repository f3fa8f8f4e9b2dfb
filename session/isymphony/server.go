package isymphony

import (
	"crypto/subtle"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// Path is where the demo serves the event API.
const Path = "/communication_manager/ws/event"

// The documented default credentials, which the demo accepts.
const (
	DefaultUser     = "manager"
	DefaultPassword = "manag3rpa55word"
)

// Server simulates a small PBX behind iSymphony.
type Server struct {
	Clock serve.Clock
	conns serve.Set[sock]
	// CoreServerID identifies the simulated PBX in every event.
	CoreServerID string
	// Firehose, when set, streams PBX events to every socket from its first
	// moment instead of the simulation's pace.
	Firehose *serve.Firehose
	once     sync.Once
}

type sock struct {
	conn    *serve.Conn
	mu      sync.Mutex
	filters []Filter // nil until the first filter message: everything flows
}

// ServeHTTP requires HTTP Basic auth with the default credentials.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(DefaultUser)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(DefaultPassword)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="iSymphony"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	ws, err := serve.Upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	k := &sock{conn: serve.NewConn(ws, serve.Options{Done: s.Clock.Done, PingEvery: s.Clock.Every(30 * time.Second)})}
	s.conns.Add(k)
	defer s.conns.Remove(k)
	if s.Firehose != nil {
		go k.conn.Stream(FirehoseFrames(64), s.Firehose)
	}
	k.conn.Serve(func(typ int, data []byte) { k.handle(data) })
}

// handle takes a filter message; anything malformed gets a failed filterResponse
// and the socket stays open; an unknown type is ignored.
func (k *sock) handle(data []byte) {
	fail := func() {
		k.conn.SendJSON(map[string]any{"type": "filterResponse", "success": false, "error": "invalid filter message"})
	}
	var msg struct {
		Type    *string         `json:"type"`
		Filters json.RawMessage `json:"filters"`
	}
	if json.Unmarshal(data, &msg) != nil || msg.Type == nil {
		fail()
		return
	}
	if *msg.Type != "filter" {
		return
	}
	filters, err := ParseFilters(msg.Filters)
	if err != nil {
		fail()
		return
	}
	k.mu.Lock()
	k.filters = filters
	k.mu.Unlock()
	k.conn.SendJSON(map[string]any{"type": "filterResponse", "success": true, "filters": filters})
}

type person struct {
	name, username, ext, did string
	userID, extID            string
}

var staff = []person{
	{name: "Michael Y (desk)", username: "4224", ext: "4224", did: "4224"},
	{name: "Michael Y (alt)", username: "42243", ext: "42243", did: "4224"},
	{name: "Colin (Desk)", username: "4228", ext: "4228", did: "432113"},
	{name: "Mikey", username: "mikey", ext: "4230", did: "4230"},
	{name: "Priya Shah", username: "priya", ext: "4231", did: "4231"},
}

func init() {
	for i := range staff {
		staff[i].userID, staff[i].extID = serve.UUID(), serve.UUID()
	}
}

// Run emits logins, calls and conference activity every 1–4 s until stop is closed.
func (s *Server) Run(stop <-chan struct{}) {
	s.once.Do(func() {
		if s.CoreServerID == "" {
			s.CoreServerID = serve.UUID()
		}
	})
	r := rand.New(rand.NewPCG(15, 16))
	loggedIn := map[string]bool{}
	for serve.Sleep(stop, s.Clock.Between(r, time.Second, 4*time.Second)) {
		a, b := staff[r.IntN(len(staff))], staff[r.IntN(len(staff))]
		switch x := r.IntN(10); {
		case x < 3:
			typ := "userLogin"
			if loggedIn[a.username] {
				typ = "userLogout"
			}
			loggedIn[a.username] = !loggedIn[a.username]
			s.publish(map[string]any{"type": typ, "username": a.username, "userId": a.userID,
				"userLoginId": serve.UUID(), "port": 57000 + r.IntN(999), "ip": "127.0.0.1"})
		case x < 8:
			if a.username == b.username {
				b = staff[(r.IntN(len(staff)-1)+1+indexOf(a))%len(staff)]
			}
			s.call(stop, r, a, b)
		default:
			typ := []string{"confRoomCallJoin", "confRoomCallLeave"}[r.IntN(2)]
			ev := map[string]any{"type": typ, "conferenceRoomId": "c0nf-0000-4000-8000-000000000001", "conferenceRoomName": "Bob",
				"callSegmentId": serve.UUID(), "callerIdName": a.name, "callerIdNumber": a.ext, "extensionId": a.extID,
				"extensionNumber": a.ext, "did": a.did, "userId": a.userID, "username": a.username}
			if r.IntN(5) == 0 { // a caller from outside: no extension or user is bound
				ev["extensionId"], ev["extensionNumber"], ev["userId"], ev["username"] = nil, nil, nil, nil
				ev["callerIdName"], ev["callerIdNumber"] = "WIRELESS CALLER", "5551230199"
			}
			s.publish(ev)
		}
	}
}

func indexOf(p person) int {
	for i, q := range staff {
		if q.username == p.username {
			return i
		}
	}
	return 0
}

// call plays dial → linkStart → linkEnd between two extensions.
func (s *Server) call(stop <-chan struct{}, r *rand.Rand, a, b person) {
	seg1, seg2 := serve.UUID(), serve.UUID()
	s.publish(map[string]any{"type": "dial", "callSegmentId": seg1, "callerIdName": a.name, "callerIdNumber": a.ext,
		"extensionId": a.extID, "extensionNumber": a.ext, "userId": a.userID, "username": a.username, "dialedNumber": b.ext})
	if !serve.Sleep(stop, s.Clock.Between(r, 300*time.Millisecond, time.Second)) {
		return
	}
	link := map[string]any{
		"callSegmentId1": seg1, "callerIdName1": a.name, "callerIdNumber1": a.ext, "did1": a.did, "extensionId1": a.extID,
		"extensionNumber1": a.ext, "userId1": a.userID, "username1": a.username,
		"callSegmentId2": seg2, "callerIdName2": b.name, "callerIdNumber2": b.ext, "did2": "s", "extensionId2": b.extID,
		"extensionNumber2": b.ext, "userId2": b.userID, "username2": b.username,
	}
	link["type"] = "linkStart"
	s.publish(link)
	if !serve.Sleep(stop, s.Clock.Between(r, time.Second, 3*time.Second)) {
		return
	}
	end := map[string]any{}
	for k, v := range link {
		end[k] = v
	}
	end["type"] = "linkEnd"
	s.publish(end)
}

// publish stamps an event and sends it to every socket whose filter set passes it.
func (s *Server) publish(ev map[string]any) {
	ev["time"] = time.Now().UnixMilli()
	ev["coreServerId"] = s.CoreServerID
	frame, _ := json.Marshal(ev)
	var generic map[string]any
	_ = json.Unmarshal(frame, &generic)
	for _, k := range s.conns.Snapshot() {
		k.mu.Lock()
		ok := Match(k.filters, generic)
		k.mu.Unlock()
		if ok {
			k.conn.Send(frame)
		}
	}
}

// FirehoseFrames builds n PBX event frames: calls, logins, conferences.
func FirehoseFrames(n int) [][]byte {
	var frames [][]byte
	s := &Server{CoreServerID: "e5c01703-3c6d-429a-8712-66c826064e65"}
	for i := 0; len(frames) < n; i++ {
		a, b := staff[i%len(staff)], staff[(i+1)%len(staff)]
		for _, ev := range []map[string]any{
			{"type": "dial", "callSegmentId": serve.UUID(), "callerIdName": a.name, "callerIdNumber": a.ext, "extensionId": a.extID, "extensionNumber": a.ext, "userId": a.userID, "username": a.username, "dialedNumber": b.ext},
			{"type": "userLogin", "username": a.username, "userId": a.userID, "userLoginId": serve.UUID(), "port": 57042, "ip": "127.0.0.1"},
		} {
			ev["time"] = time.Now().UnixMilli()
			ev["coreServerId"] = s.CoreServerID
			b, _ := json.Marshal(ev)
			frames = append(frames, b)
		}
	}
	return frames[:n]
}

// DropAll cuts every connection without a close frame and returns how many.
func (s *Server) DropAll() int { return s.conns.Each(func(k *sock) { k.conn.Drop() }) }

// The demo mounts the event API at Path behind the documented default credentials;
// with no filter everything flows.
func init() {
	serve.Register(serve.Mount{Dialect: Name, Firehose: true, New: func(env serve.Env) serve.Demo {
		s := &Server{Clock: env.Clock, Firehose: env.Firehose}
		return serve.Demo{Handler: s, Paths: []string{Path}, Run: s.Run, DropAll: s.DropAll, Endpoint: Path,
			Profile: session.Profile{URL: Path, User: DefaultUser, Password: DefaultPassword}}
	}})
}
