package gotham_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/gotham"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The reference's sample polygon near the Georgetown waterfront. On a north-up map
// (x = longitude, y = latitude, as in GeoJSON and orb) it runs clockwise, although the
// same page asks for counter-clockwise rings. The service evidently takes its own
// sample, so the demo accepts both orientations (the ring encloses the same area).
const sample = `[{"longitude":-77.0597,"latitude":38.9033},{"longitude":-77.0613,"latitude":38.9028},{"longitude":-77.0628,"latitude":38.9052},{"longitude":-77.0601,"latitude":38.9052},{"longitude":-77.0597,"latitude":38.9033}]`

// sampleCCW is the sample reversed.
const sampleCCW = `[{"longitude":-77.0597,"latitude":38.9033},{"longitude":-77.0601,"latitude":38.9052},{"longitude":-77.0628,"latitude":38.9052},{"longitude":-77.0613,"latitude":38.9028},{"longitude":-77.0597,"latitude":38.9033}]`

// A wider box over the waterfront, counter-clockwise, catching part of the fleet.
const box = `[{"longitude":-77.0640,"latitude":38.9020},{"longitude":-77.0605,"latitude":38.9020},{"longitude":-77.0605,"latitude":38.9060},{"longitude":-77.0640,"latitude":38.9060},{"longitude":-77.0640,"latitude":38.9020}]`

func TestHandshake(t *testing.T) {
	srv := st.StartDemo(t, 1)
	base := "ws://" + srv.Addr()
	cases := []struct {
		name, url, proto string
		status           int
		errorName        string
	}{
		{"ok", base + gotham.Path + "demo-vessels?preview=true", "Bearer-demo", 101, ""},
		{"alt path", base + gotham.AltPath + "demo-aircraft?preview=true", "Bearer-demo", 101, ""},
		{"no token", base + gotham.Path + "demo-vessels?preview=true", "", 401, "MissingCredentials"},
		{"bad token", base + gotham.Path + "demo-vessels?preview=true", "Bearer-bad", 401, "MissingCredentials"},
		{"no preview", base + gotham.Path + "demo-vessels", "Bearer-demo", 400, "ApiFeaturePreviewUsageOnly"},
		{"unknown spec", base + gotham.Path + "nope?preview=true", "Bearer-demo", 404, "ObservationSpecNotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var protos []string
			if c.proto != "" {
				protos = []string{c.proto}
			}
			r, err := st.TryDial(t, c.url, nil, protos...)
			if c.status == 101 {
				if err != nil {
					t.Fatal(err)
				}
				if got := r.Conn.Subprotocol(); got != c.proto {
					t.Fatalf("subprotocol echoed = %q, want %q", got, c.proto)
				}
				return
			}
			if r.Resp == nil || r.Resp.StatusCode != c.status {
				t.Fatalf("want HTTP %d, got %v", c.status, err)
			}
			body, _ := io.ReadAll(r.Resp.Body)
			var e map[string]any
			if json.Unmarshal(body, &e) != nil || e["errorName"] != c.errorName || e["errorInstanceId"] == "" {
				t.Fatalf("error body = %s", body)
			}
		})
	}
}

func dialVessels(t *testing.T, srv interface{ URL(string) string }) *st.Raw {
	return st.Dial(t, srv.URL("gotham"), nil, "Bearer-demo")
}

func TestSubscribeReplies(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := dialVessels(t, srv)
	cases := []struct {
		name, send, errName, arg, value string
	}{
		{"everything", `{"type":"subscribe","query":{}}`, "", "", ""},
		{"docs sample with extra brace", `{"type": "subscribe", "query": {}}}`, "", "", ""},
		{"sample polygon reversed", `{"type":"subscribe","query":{"location":` + sampleCCW + `}}`, "", "", ""},
		{"not closed", `{"type":"subscribe","query":{"location":` + sampleCCW[:strings.LastIndex(sampleCCW, ",{")] + `]}}`, "InvalidObservationQuery", "location", "polygon must be closed (first point = last point)"},
		{"sample polygon, clockwise as the docs send it", `{"type":"subscribe","query":{"location":` + sample + `}}`, "", "", ""},
		{"a field the docs do not list", `{"type":"subscribe","query":{"location":` + sampleCCW + `,"limit":10}}`, "", "", ""},
		{"too few", `{"type":"subscribe","query":{"location":[{"longitude":1,"latitude":1},{"longitude":2,"latitude":1},{"longitude":1,"latitude":1}]}}`, "InvalidObservationQuery", "location", "polygon needs at least 4 points: it has 3"},
		{"bad time", `{"type":"subscribe","query":{"time":{"start":"yesterday","end":"2025-03-02T00:00:00Z"}}}`, "InvalidObservationQuery", "time.start", ""},
		{"property without values", `{"type":"subscribe","query":{"property":{"property":"speed","values":[]}}}`, "InvalidObservationQuery", "property.values", ""},
		{"no query", `{"type":"subscribe"}`, "InvalidMessage", "query", "is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.Send(c.send)
			got := r.NextType("subscribed")
			errs := got["errors"].([]any)
			if c.errName == "" {
				if len(errs) != 0 || len(got["id"].(string)) != 36 {
					t.Fatalf("want success with a UUID, got %v", got)
				}
				return
			}
			if _, has := got["id"]; has || len(errs) != 1 {
				t.Fatalf("want one error and no id, got %v", got)
			}
			e := errs[0].(map[string]any)
			arg := e["args"].([]any)[0].(map[string]any)
			if e["error"] != c.errName || arg["name"] != c.arg || c.value != "" && arg["value"] != c.value {
				t.Fatalf("error = %v", e)
			}
		})
	}
}

func TestUnknownTypeIgnoredAndNonJSONCloses(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := dialVessels(t, srv)
	r.Send(`{"type":"hello"}`)
	r.Send(`{"type":"unsubscribe","id":"00000000-0000-4000-8000-000000000000"}`)
	r.Send(`{"type":"subscribe","query":{}}`)
	r.NextType("subscribed")
	r.Send(`not json`)
	if ce := r.ExpectClose(); ce.Code != websocket.CloseInvalidFramePayloadData {
		t.Fatalf("close code %d, want 1007", ce.Code)
	}
}

func TestLocationFilterOnlyInside(t *testing.T) {
	srv := st.StartDemo(t, 20)
	r := dialVessels(t, srv)
	r.Send(`{"type":"subscribe","query":{"location":` + box + `}}`)
	id := r.NextType("subscribed")["id"]
	var loc []geo.Position
	_ = json.Unmarshal([]byte(box), &loc)
	ring := geo.RingFromLocation(loc)
	for i := 0; i < 5; i++ {
		d := r.NextType("data")
		if d["id"] != id {
			t.Fatalf("data for %v, want %v", d["id"], id)
		}
		for _, o := range d["observations"].([]any) {
			pos := o.(map[string]any)["position"].(map[string]any)
			p := orb.Point{pos["longitude"].(float64), pos["latitude"].(float64)}
			if !planar.RingContains(ring, p) {
				t.Fatalf("observation at %v is outside the polygon", p)
			}
		}
	}
}

func TestPropertyFilter(t *testing.T) {
	srv := st.StartDemo(t, 20)
	r := dialVessels(t, srv)
	r.Send(`{"type":"subscribe","query":{"property":{"property":"callsign","values":["WDX1234","nope"]}}}`)
	r.NextType("subscribed")
	d := r.NextType("data")
	obs := d["observations"].([]any)
	if len(obs) != 1 || obs[0].(map[string]any)["trackId"] != "track0" {
		t.Fatalf("want only track0, got %v", obs)
	}
	o := obs[0].(map[string]any)
	for _, k := range []string{"sourceSystemId", "collectionId", "observationSpecId", "trackId", "position", "timestamp", "staticProperties", "liveProperties"} {
		if _, ok := o[k]; !ok {
			t.Errorf("observation lacks %s", k)
		}
	}
}

func TestSameValue(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{`12.5`, `12.5`, true}, {`"12.5"`, `12.5`, true}, {`13`, `13.0`, true},
		{`"WDX1234"`, `"WDX1234"`, true}, {`"a"`, `"b"`, false}, {`"2021-05-01"`, `"2021-05-01"`, true},
	}
	for _, c := range cases {
		if got := gotham.SameValue(json.RawMessage(c.a), json.RawMessage(c.b)); got != c.want {
			t.Errorf("SameValue(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

func TestClientMapsIDsAcrossReconnect(t *testing.T) {
	srv := st.StartDemo(t, 20)
	p := session.Profile{Name: "demo-gotham", Dialect: "gotham", URL: srv.URL("gotham"), Token: "demo",
		Subs: []json.RawMessage{st.JSON(`{}`), st.JSON(`{"location":` + box + `}`)}}
	s, c := st.Connect(t, p)
	live := func() map[string]string {
		ids := map[string]string{}
		st.Until(t, "both subscriptions live", func() bool {
			for _, sub := range s.Subs() {
				if sub.State != session.SubLive {
					return false
				}
				ids[sub.ID] = sub.ServerID
			}
			return true
		})
		return ids
	}
	before := live()
	if before["1"] == before["2"] || before["1"] == "" {
		t.Fatalf("server ids %v", before)
	}
	ev, _ := c.WaitFor(t, 0, "data for sub 2", func(e session.Event) bool { return e.Kind == "data" && e.Sub == "2" })
	if ev.Geo == nil || !planar.RingContains(ringOf(box), orb.Point{ev.Geo.Lon, ev.Geo.Lat}) {
		t.Fatalf("sub 2 event outside its polygon: %+v", ev.Geo)
	}
	mark := c.Mark()
	srv.DropAll()
	c.WaitKind(t, mark, session.DirState, session.StateOpen)
	st.Until(t, "new server ids", func() bool {
		for _, sub := range s.Subs() {
			if sub.State != session.SubLive || sub.ServerID == before[sub.ID] || sub.Replays != 1 {
				return false
			}
		}
		return true
	})
	after := live()
	_, j := c.WaitFor(t, mark, "data after reconnect", func(e session.Event) bool { return e.Kind == "data" && e.Sub == "2" })
	if j < 0 || after["2"] == before["2"] {
		t.Fatalf("ids not remapped: %v → %v", before, after)
	}
}

// The docs' clockwise sample and a field the docs do not list are sent with a
// warning on the row, never refused: the subscription goes live and data arrives.
func TestClientWarnsButSends(t *testing.T) {
	srv := st.StartDemo(t, 20)
	cw := `[{"longitude":-77.0640,"latitude":38.9020},{"longitude":-77.0640,"latitude":38.9060},{"longitude":-77.0590,"latitude":38.9060},{"longitude":-77.0590,"latitude":38.9020},{"longitude":-77.0640,"latitude":38.9020}]`
	p := session.Profile{Name: "g", Dialect: "gotham", URL: srv.URL("gotham"), Token: "demo",
		Subs: []json.RawMessage{st.JSON(`{"location":` + cw + `,"limit":5}`)}}
	s, c := st.Connect(t, p)
	var warns []string
	c.WaitFor(t, 0, "two warnings", func(e session.Event) bool {
		if e.Kind == "warning" && e.Sub == "1" {
			warns = append(warns, e.Summary)
		}
		return len(warns) == 2
	})
	if !strings.Contains(warns[0], `"limit" is not in the docs`) || !strings.Contains(warns[1], "clockwise") {
		t.Fatalf("warnings %q", warns)
	}
	ev, _ := c.WaitFor(t, 0, "data inside the clockwise ring", func(e session.Event) bool { return e.Kind == "data" && e.Sub == "1" })
	if !planar.RingContains(ringOf(cw), orb.Point{ev.Geo.Lon, ev.Geo.Lat}) {
		t.Fatalf("outside: %+v", ev.Geo)
	}
	if sub := s.Subs()[0]; sub.State != session.SubLive {
		t.Fatalf("state %s", sub.State)
	}
}

func ringOf(loc string) orb.Ring {
	var l []geo.Position
	_ = json.Unmarshal([]byte(loc), &l)
	return geo.RingFromLocation(l)
}

func TestClientShowsServerErrors(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, session.Profile{Name: "g", Dialect: "gotham", URL: srv.URL("gotham"), Token: "demo"})
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	if _, err := s.Subscribe(st.JSON(`{"location":[]}`)); err == nil {
		t.Fatal("an empty ring passed the outgoing check")
	}
	// Sent raw on purpose, the refusal comes back verbatim.
	_ = s.SendRaw([]byte(`{"type":"subscribe","query":{"location":[{"longitude":1,"latitude":1}]}}`))
	ev, _ := c.WaitKind(t, 0, session.DirIn, "subscribed")
	// A raw subscribe has no row to pin the answer on; the event still carries it.
	if !strings.Contains(ev.Summary, "no subscribe was outstanding") || !strings.Contains(string(ev.Raw), "polygon needs at least 4 points") {
		t.Fatalf("summary %q raw %s", ev.Summary, ev.Raw)
	}
}

func TestDialRejected(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, session.Profile{Name: "g", Dialect: "gotham", URL: srv.URL("gotham")})
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateClosed)
	if ev.Summary != "rejected: 401 UNAUTHORIZED MissingCredentials" {
		t.Fatalf("summary %q", ev.Summary)
	}
	<-s.Done()
}

func FuzzParseQuery(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"location":` + sample + `}`))
	f.Add([]byte(`{"location":` + sampleCCW + `}`))
	f.Add([]byte(`{"time":{"start":"2025-03-01T00:00:00Z","end":"2025-03-02T00:00:00Z"},"property":{"property":"speed","values":[12.5,13]}}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = gotham.ParseQuery(b) })
}

func FuzzClientDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"subscribed","id":"3255ebeb-a897-437c-ae7b-99c5d64d17cf","errors":[]}`,
		`{"type":"subscribed","errors":[{"error":"InvalidObservationQuery","args":[{"name":"location","value":"polygon must be closed"}]}]}`,
		`{"type":"data","id":"3255ebeb-a897-437c-ae7b-99c5d64d17cf","observations":[{"sourceSystemId":"demo-ais","collectionId":"vessels","observationSpecId":"baz","trackId":"track0","position":{"longitude":-77.0598,"latitude":38.9034},"timestamp":"2025-03-01T10:00:00Z","name":"MV Example","staticProperties":[],"liveProperties":[{"propertyType":"speed","value":12.5}]}]}`,
		`{"type":"data","observations":[1,"x",null]}`, `nope`,
	} {
		f.Add([]byte(s))
	}
	s, err := session.New(session.Profile{Name: "f", Dialect: "gotham", URL: "ws://127.0.0.1:1/x"}, session.SinkFunc(func(session.Event) {}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s.Do(func(c session.Client, w *session.Wire) { c.Decode(w, b) })
	})
}
