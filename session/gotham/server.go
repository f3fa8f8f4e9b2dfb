package gotham

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Paths the demo serves; the second is the spelling of another copy of the docs.
const (
	Path    = "/api/ws/gotham/v1/observations/"
	AltPath = "/api/gotham/ws/v1/observations/"
)

// Spec ids the demo knows.
const (
	SpecVessels  = "demo-vessels"
	SpecAircraft = "demo-aircraft"
)

// Server simulates the observations websocket over moving vessels and aircraft.
type Server struct {
	Clock serve.Clock
	conns serve.Set[sock]
	// Firehose, when set, streams data batches to a socket's first subscription
	// instead of the simulation's pace.
	Firehose *serve.Firehose
}

type sock struct {
	srv  *Server
	conn *serve.Conn
	spec string
	mu   sync.Mutex
	subs map[string]*compiled // server id → query
}

type compiled struct {
	q          *Query
	ring       orb.Ring
	bound      orb.Bound
	start, end time.Time
}

func apiError(w http.ResponseWriter, status int, code, name string, params map[string]any) {
	if params == nil {
		params = map[string]any{}
	}
	serve.JSONError(w, status, map[string]any{"errorCode": code, "errorName": name, "errorInstanceId": serve.UUID(), "parameters": params})
}

// ServeHTTP checks the token subprotocol, `preview=true` and the spec id, then echoes
// the chosen subprotocol in the 101 response, as clients require.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	spec := r.URL.Path
	for _, p := range []string{Path, AltPath} {
		spec = strings.TrimPrefix(spec, p)
	}
	proto := ""
	for _, p := range websocket.Subprotocols(r) {
		if strings.HasPrefix(p, "Bearer-") {
			proto = p
		}
	}
	switch {
	case proto == "" || proto == "Bearer-" || proto == "Bearer-bad":
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "MissingCredentials", nil)
		return
	case r.URL.Query().Get("preview") != "true":
		apiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "ApiFeaturePreviewUsageOnly", nil)
		return
	case spec != SpecVessels && spec != SpecAircraft:
		apiError(w, http.StatusNotFound, "NOT_FOUND", "ObservationSpecNotFound", map[string]any{"observationSpecId": spec})
		return
	}
	ws, err := serve.Upgrader.Upgrade(w, r, http.Header{"Sec-Websocket-Protocol": {proto}})
	if err != nil {
		return
	}
	k := &sock{srv: s, conn: serve.NewConn(ws, serve.Options{Done: s.Clock.Done, PingEvery: s.Clock.Every(30 * time.Second)}), spec: spec, subs: map[string]*compiled{}}
	s.conns.Add(k)
	defer s.conns.Remove(k)
	k.conn.Serve(func(typ int, data []byte) { k.handle(data) })
}

// handle parses the first JSON value of a frame and ignores trailing bytes, as a
// Jackson server does (the docs' own sample has an extra `}`).
func (k *sock) handle(data []byte) {
	var msg struct {
		Type  string          `json:"type"`
		Query json.RawMessage `json:"query"`
		ID    string          `json:"id"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&msg); err != nil {
		var any json.RawMessage
		if json.NewDecoder(bytes.NewReader(data)).Decode(&any) != nil {
			k.conn.Close(websocket.CloseInvalidFramePayloadData, "invalid JSON")
			return
		}
		if msg.Type == "subscribe" || bytes.Contains(data, []byte(`"subscribe"`)) {
			k.conn.SendJSON(refusal("InvalidMessage", "message", err.Error()))
		}
		return
	}
	switch msg.Type {
	case "subscribe":
		if len(msg.Query) == 0 || string(msg.Query) == "null" {
			k.conn.SendJSON(refusal("InvalidMessage", "query", "is missing"))
			return
		}
		q, arg := ParseQuery(msg.Query)
		if arg != nil {
			k.conn.SendJSON(refusal("InvalidObservationQuery", arg.Name, arg.Value))
			return
		}
		c := &compiled{q: q}
		if q.Location != nil {
			c.ring = geo.RingFromLocation(q.Location)
			c.bound = c.ring.Bound()
		}
		if q.Time != nil {
			c.start, _ = time.Parse(time.RFC3339, q.Time.Start)
			c.end, _ = time.Parse(time.RFC3339, q.Time.End)
		}
		id := serve.UUID()
		k.mu.Lock()
		first := len(k.subs) == 0
		k.subs[id] = c
		k.mu.Unlock()
		k.conn.SendJSON(map[string]any{"type": "subscribed", "id": id, "errors": []any{}})
		if first && k.srv != nil && k.srv.Firehose != nil {
			k.conn.Stream(FirehoseFrames(k.spec, id, 64), k.srv.Firehose)
		}
	case "unsubscribe":
		k.mu.Lock()
		delete(k.subs, msg.ID) // an unknown id is ignored
		k.mu.Unlock()
	}
}

func refusal(name, arg, value string) map[string]any {
	return map[string]any{"type": "subscribed", "errors": []ServerError{{Error: name, Args: []Arg{{Name: arg, Value: value}}}}}
}

// matches applies time, location and property, ANDed.
func (c *compiled) matches(o *Observation, ts time.Time, pt orb.Point) bool {
	if c.q.Time != nil && (ts.Before(c.start) || ts.After(c.end)) {
		return false
	}
	if c.ring != nil && !(c.bound.Contains(pt) && planar.RingContains(c.ring, pt)) {
		return false
	}
	if p := c.q.Property; p != nil {
		for _, props := range [][]Property{o.StaticProperties, o.LiveProperties} {
			for _, prop := range props {
				if prop.PropertyType != p.Property {
					continue
				}
				for _, v := range p.Values {
					if SameValue(v, prop.Value) {
						return true
					}
				}
			}
		}
		return false
	}
	return true
}

// track is one simulated mover: on a route, back and forth (vessels) or round a
// loop (aircraft), or, without one, on a small ellipse around a centre (vessels
// manoeuvring at the Georgetown waterfront, where the reference's sample polygon is).
type track struct {
	id, name, callsign string
	centre             orb.Point
	rx, ry             float64 // degrees
	theta, omega       float64 // radians, radians per second
	route              []orb.Point
	loop               bool    // round the route instead of back and forth
	at, dir, speed     float64 // metres along the route, ±1, metres per second
	icon               string
	altitude           int
}

// The waterfront box of the reference's sample polygon.
var waterfront = orb.Point{-77.0622, 38.9040}

// potomac runs down the river from Chain Bridge past Georgetown, the Kennedy
// Center and Hains Point to Alexandria and the Woodrow Wilson Bridge, along the
// middle of the offline basemap's river (assets/midatlantic.geojson).
var potomac = []orb.Point{
	{-77.1147, 38.9311}, {-77.1021, 38.9202}, {-77.0909, 38.9089}, {-77.0791, 38.9046},
	{-77.0647, 38.8975}, {-77.0570, 38.8904}, {-77.0439, 38.8799}, {-77.0348, 38.8670},
	{-77.0304, 38.8579}, {-77.0300, 38.8450}, {-77.0330, 38.8300}, {-77.0350, 38.8150},
	{-77.0330, 38.8000}, {-77.0300, 38.7900},
}

// Air routes: the River Visual approach down the Potomac to Reagan National,
// and a loop Reagan National, Dulles, Baltimore/Washington.
var (
	dca, iad, bwi = orb.Point{-77.0377, 38.8512}, orb.Point{-77.4558, 38.9531}, orb.Point{-76.6684, 39.1774}
	riverVisual   = []orb.Point{{-77.2300, 39.0150}, {-77.1650, 38.9750}, {-77.1200, 38.9380}, {-77.0750, 38.9050}, {-77.0500, 38.8750}, dca}
	triangle      = []orb.Point{dca, iad, bwi, dca}
)

func newTracks(spec string, r *rand.Rand) []*track {
	var ts []*track
	if spec == SpecVessels {
		names := []string{"MV Example", "Potomac Belle", "Capital Spirit", "Odyssey", "Nina's Dream", "River Runner", "Harbor Queen", "Seneca", "Miss Christin", "Cherry Blossom", "Patriot II", "Anacostia"}
		for i, n := range names {
			t := &track{id: fmt.Sprintf("track%d", i), name: n, callsign: fmt.Sprintf("WDX%04d", 1234+i*37), icon: "ship"}
			if i < 3 {
				// Most of the sample polygon's traffic: slow turns inside the waterfront box.
				t.centre = orb.Point{waterfront[0] + (r.Float64()-0.5)*0.0008, waterfront[1] + (r.Float64()-0.5)*0.0006}
				t.rx, t.ry = 0.0004+r.Float64()*0.0004, 0.0003+r.Float64()*0.0003
				t.theta, t.omega = r.Float64()*2*math.Pi, (0.02+r.Float64()*0.02)*sign(r)
			} else {
				t.route, t.dir = potomac, sign(r)
				t.at = r.Float64() * routeLength(potomac)
				t.speed = 3 + r.Float64()*5 // 6 to 16 knots
			}
			ts = append(ts, t)
		}
		return ts
	}
	for i := 0; i < 10; i++ {
		t := &track{id: fmt.Sprintf("air%d", i), name: fmt.Sprintf("%s%d", []string{"AAL", "UAL", "DAL", "SWA", "JBU"}[i%5], 100+r.IntN(900)),
			callsign: fmt.Sprintf("N%03dFS", 100+i), icon: "airplane", altitude: 3000 + r.IntN(30)*500, dir: 1, speed: 70 + r.Float64()*80}
		t.route, t.loop = triangle, true
		if i%3 == 0 {
			t.route, t.loop, t.altitude = riverVisual, false, 1500+r.IntN(6)*250
		}
		t.at = r.Float64() * routeLength(t.route)
		ts = append(ts, t)
	}
	return ts
}

func sign(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		return -1
	}
	return 1
}

// metres between two points, on a sphere (short distances).
func metres(a, b orb.Point) float64 {
	k := math.Cos((a[1] + b[1]) / 2 * math.Pi / 180)
	return math.Hypot((b[0]-a[0])*k, b[1]-a[1]) * 111_320
}

func routeLength(route []orb.Point) float64 {
	n := 0.0
	for i := 1; i < len(route); i++ {
		n += metres(route[i-1], route[i])
	}
	return n
}

// along returns the point d metres along the route and the segment's bearing.
func along(route []orb.Point, d float64) (orb.Point, float64) {
	for i := 1; i < len(route); i++ {
		a, b := route[i-1], route[i]
		l := metres(a, b)
		if d <= l || i == len(route)-1 {
			f := 0.0
			if l > 0 {
				f = math.Min(1, math.Max(0, d/l))
			}
			k := math.Cos(a[1] * math.Pi / 180)
			bearing := math.Mod(math.Atan2((b[0]-a[0])*k, b[1]-a[1])*180/math.Pi+360, 360)
			return orb.Point{a[0] + (b[0]-a[0])*f, a[1] + (b[1]-a[1])*f}, bearing
		}
		d -= l
	}
	return route[0], 0
}

// step moves the track by dt seconds and returns where it is, its speed in m/s
// and its heading in degrees.
func (t *track) step(dt float64) (orb.Point, float64, float64) {
	if t.route == nil {
		t.theta += t.omega * dt
		lat := t.centre[1] + t.ry*math.Sin(t.theta)
		// Velocity in metres per second from the ellipse's derivative.
		vx := -t.rx * math.Sin(t.theta) * t.omega * 111320 * math.Cos(lat*math.Pi/180)
		vy := t.ry * math.Cos(t.theta) * t.omega * 110540
		return orb.Point{t.centre[0] + t.rx*math.Cos(t.theta), lat}, math.Hypot(vx, vy), math.Mod(math.Atan2(vx, vy)*180/math.Pi+360, 360)
	}
	total := routeLength(t.route)
	t.at += t.dir * t.speed * dt
	switch {
	case t.loop:
		t.at = math.Mod(t.at+total, total)
	case t.at > total:
		t.at, t.dir = 2*total-t.at, -1
	case t.at < 0:
		t.at, t.dir = -t.at, 1
	}
	p, bearing := along(t.route, t.at)
	if t.dir < 0 {
		bearing = math.Mod(bearing+180, 360)
	}
	return p, t.speed, bearing
}

// observe advances a track by dt and reports where it is.
func (t *track) observe(spec string, dt float64, now time.Time) Observation {
	p, mps, heading := t.step(dt)
	speed := mps * 1.943844 // knots
	src, coll := "demo-ais", "vessels"
	static := []Property{{"callsign", quote(t.callsign)}, {"mmsi", quote(fmt.Sprintf("3669%05d", len(t.name)*1234%100000))}}
	live := []Property{{"speed", num(math.Round(speed*10) / 10)}, {"heading", num(math.Round(heading))}}
	if spec == SpecAircraft {
		src, coll = "demo-adsb", "aircraft"
		static = []Property{{"callsign", quote(t.callsign)}, {"flight", quote(t.name)}}
		live = append(live, Property{"altitude", num(float64(t.altitude))})
	}
	return Observation{
		SourceSystemID: src, CollectionID: coll, ObservationSpecID: spec, TrackID: t.id,
		Position:  Position{Longitude: round6(p[0]), Latitude: round6(p[1])},
		Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z"), Name: t.name,
		StaticProperties: static, LiveProperties: live,
		Style: json.RawMessage(`{"blueprintIconName":"` + t.icon + `"}`),
	}
}

func quote(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
func num(f float64) json.RawMessage  { b, _ := json.Marshal(f); return b }
func round6(x float64) float64       { return math.Round(x*1e6) / 1e6 }

// Run moves the tracks and sends every matching subscription a `data` batch each
// second, until stop is closed.
func (s *Server) Run(stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(13, 14))
	fleets := map[string][]*track{SpecVessels: newTracks(SpecVessels, r), SpecAircraft: newTracks(SpecAircraft, r)}
	tick := s.Clock.Every(time.Second)
	for serve.Sleep(stop, tick) {
		now := time.Now()
		batch := map[string][]Observation{}
		for spec, ts := range fleets {
			for _, t := range ts {
				batch[spec] = append(batch[spec], t.observe(spec, 1, now))
			}
		}
		for _, k := range s.conns.Snapshot() {
			k.send(batch[k.spec], now)
		}
	}
}

func (k *sock) send(obs []Observation, now time.Time) {
	k.mu.Lock()
	var frames []any
	for id, c := range k.subs {
		var hit []Observation
		for i := range obs {
			o := &obs[i]
			if c.matches(o, now, orb.Point{o.Position.Longitude, o.Position.Latitude}) {
				hit = append(hit, *o)
			}
		}
		if len(hit) > 0 {
			frames = append(frames, map[string]any{"type": "data", "id": id, "observations": hit})
		}
	}
	k.mu.Unlock()
	for _, f := range frames {
		k.conn.SendJSON(f)
	}
}

// FirehoseFrames builds n data frames of ten observations each for subscription id.
func FirehoseFrames(spec, id string, n int) [][]byte {
	r := rand.New(rand.NewPCG(25, 26))
	tracks := newTracks(spec, r)
	frames := make([][]byte, n)
	now := time.Now()
	for i := range frames {
		obs := make([]Observation, 0, 10)
		for j := 0; j < 10; j++ {
			obs = append(obs, tracks[(i*10+j)%len(tracks)].observe(spec, 1, now))
		}
		frames[i], _ = json.Marshal(map[string]any{"type": "data", "id": id, "observations": obs})
	}
	return frames
}

// DropAll cuts every connection without a close frame and returns how many.
func (s *Server) DropAll() int { return s.conns.Each(func(k *sock) { k.conn.Drop() }) }

// The demo mounts both spellings of the observations path; its ready profile watches
// the vessels spec with the token "demo", everything it sees.
func init() {
	serve.Register(serve.Mount{Dialect: Name, Firehose: true, New: func(env serve.Env) serve.Demo {
		s := &Server{Clock: env.Clock, Firehose: env.Firehose}
		return serve.Demo{Handler: s, Paths: []string{Path, AltPath}, Run: s.Run, DropAll: s.DropAll,
			Endpoint: Path + "{specId}?preview=true",
			Profile: session.Profile{URL: Path + SpecVessels + "?preview=true", Token: "demo",
				Subs: []json.RawMessage{json.RawMessage(`{}`)}}}
	}})
}
