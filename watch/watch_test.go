package watch_test

import (
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/all"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/feedscope/feedscope/watch"
)

// alerts runs an engine over a real session's events and collects what it raises;
// a ticker drives the time-driven rules as the app and tail do.
type alerts struct {
	eng  *watch.Engine
	mu   sync.Mutex
	got  []watch.Alert
	stop chan struct{}
}

func run(t *testing.T, p session.Profile, rules ...watch.Rule) *alerts {
	t.Helper()
	eng, err := watch.New(rules, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a := &alerts{eng: eng, stop: make(chan struct{})}
	s, err := session.New(p, session.SinkFunc(func(e session.Event) { a.add(eng.Observe(e)) }))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-a.stop:
				return
			case now := <-tick.C:
				a.add(eng.Tick(now))
			}
		}
	}()
	s.Start(t.Context())
	t.Cleanup(func() { close(a.stop); s.Close() })
	return a
}

func (a *alerts) add(as []watch.Alert) {
	a.mu.Lock()
	a.got = append(a.got, as...)
	a.mu.Unlock()
}

func (a *alerts) all() []watch.Alert {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]watch.Alert(nil), a.got...)
}

func (a *alerts) waitFor(t *testing.T, what string, pred func(watch.Alert) bool) watch.Alert {
	t.Helper()
	var found watch.Alert
	st.Until(t, what, func() bool {
		for _, x := range a.all() {
			if pred(x) {
				found = x
				return true
			}
		}
		return false
	})
	return found
}

func held(e *watch.Engine, rule string) int {
	for _, s := range e.Stats() {
		if s.Rule == rule {
			return s.Held
		}
	}
	return -1
}

func demoProfile(t *testing.T, speed float64, dialect string, subs ...string) session.Profile {
	t.Helper()
	srv := st.StartDemo(t, speed)
	p, ok := srv.Profile(dialect)
	if !ok {
		t.Fatalf("the demo has no %s profile", dialect)
	}
	if subs != nil {
		p.Subs = nil
		for _, s := range subs {
			p.Subs = append(p.Subs, st.JSON(s))
		}
	}
	return p
}

func TestMatchRuleOnDemo(t *testing.T) {
	p := demoProfile(t, 20, "gotham", `{}`)
	a := run(t, p, watch.Rule{Name: "belle", Kind: watch.KindMatch, Filter: `kind:data "Potomac Belle"`})
	got := a.waitFor(t, "an alert for the Potomac Belle", func(x watch.Alert) bool { return true })
	if got.Rule != "belle" || got.Cause == nil || !strings.Contains(got.Cause.Summary, "Potomac Belle") || got.Profile != p.Name {
		t.Fatalf("alert %+v", got)
	}
	ev := got.Event()
	if ev.Dir != watch.DirAlert || ev.Geo == nil || !strings.HasPrefix(ev.Summary, "belle: ") {
		t.Fatalf("as an event: %+v", ev)
	}
	var raw struct {
		Rule  string
		Event struct{ Kind, Summary string }
	}
	if err := json.Unmarshal(ev.Raw, &raw); err != nil || raw.Rule != "belle" || raw.Event.Kind != "data" {
		t.Fatalf("raw %s: %v", ev.Raw, err)
	}
}

// The demo's vessels turning at the Georgetown waterfront cross a line through
// the middle of their turning area: a fence over its western half sees them come
// and go.
func TestGeofenceRuleOnDemo(t *testing.T) {
	p := demoProfile(t, 50, "gotham", `{}`)
	fence := [][2]float64{{-77.0660, 38.9000}, {-77.0622, 38.9000}, {-77.0622, 38.9080}, {-77.0660, 38.9080}, {-77.0660, 38.9000}}
	a := run(t, p, watch.Rule{Name: "west waterfront", Kind: watch.KindGeofence, Polygon: fence, On: watch.OnBoth, MarginM: 5, MaxPerMinute: 1000})
	in := a.waitFor(t, "a vessel entering the fence", func(x watch.Alert) bool { return strings.Contains(x.Text, " entered ") })
	if in.Cause == nil || in.Cause.Key == "" || in.Cause.Geo == nil || in.Cause.Geo.Lon > -77.0622 {
		t.Fatalf("enter alert %+v", in)
	}
	a.waitFor(t, "a vessel leaving the fence", func(x watch.Alert) bool { return strings.Contains(x.Text, " left ") })
}

func TestSilenceRuleOnDemo(t *testing.T) {
	// A subscription over the open Atlantic: the feed is connected and silent.
	p := demoProfile(t, 20, "gotham", `{"location":[{"longitude":-40,"latitude":30},{"longitude":-39,"latitude":30},{"longitude":-39,"latitude":31},{"longitude":-40,"latitude":31},{"longitude":-40,"latitude":30}]}`)
	a := run(t, p,
		watch.Rule{Name: "quiet", Kind: watch.KindSilence, Profile: p.Name, ForS: 0.5},
		watch.Rule{Name: "slow", Kind: watch.KindSilence, Profile: p.Name, MinRate: 5, WindowS: 1})
	q := a.waitFor(t, "the silence alert", func(x watch.Alert) bool { return x.Rule == "quiet" })
	if !strings.Contains(q.Text, "nothing from "+p.Name) || q.Cause != nil {
		t.Fatalf("silence alert %+v", q)
	}
	a.waitFor(t, "the rate alert", func(x watch.Alert) bool { return x.Rule == "slow" && strings.Contains(x.Text, "below 5/s") })
	for _, x := range a.all() {
		if x.Rule == "quiet" && x != q {
			t.Fatalf("silence fired twice without events between: %+v", a.all())
		}
	}
}

func TestSilenceRuleQuietOnLiveFeed(t *testing.T) {
	p := demoProfile(t, 20, "gotham", `{}`)
	a := run(t, p, watch.Rule{Name: "quiet", Kind: watch.KindSilence, Profile: p.Name, ForS: 2})
	// The feed sends a batch every 50 ms; wait until well past the silence's span.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if got := a.all(); len(got) > 0 {
			t.Fatalf("a live feed raised %+v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestStateRejectedOnDemo(t *testing.T) {
	p := demoProfile(t, 20, "gotham", `{}`)
	p.Token = "bad" // the demo refuses it with 401
	a := run(t, p, watch.Rule{Name: "refused", Kind: watch.KindState, When: watch.WhenRejected})
	got := a.waitFor(t, "the rejection alert", func(watch.Alert) bool { return true })
	if !strings.Contains(got.Text, "rejected") || got.Profile != p.Name {
		t.Fatalf("alert %+v", got)
	}
}

func TestStateReconnectingOnDeadPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now: every dial fails at once
	p := session.Profile{Name: "dead", Dialect: "misskey", URL: "ws://" + addr + "/streaming", Token: "x"}
	a := run(t, p, watch.Rule{Name: "flapping", Kind: watch.KindState, When: watch.WhenReconnecting, Reconnects: 3, WindowS: 30})
	got := a.waitFor(t, "the reconnecting alert", func(watch.Alert) bool { return true })
	if !strings.Contains(got.Text, "dead reconnected 3 times") {
		t.Fatalf("alert %+v", got)
	}
}

// A firehose matching every event raises at most the rule's limit in a minute.
func TestStormLimitOnDemo(t *testing.T) {
	p := demoProfile(t, 50, "gotham", `{}`)
	// A second rule counts what the first one saw: every data event matches.
	a := run(t, p, watch.Rule{Name: "everything", Kind: watch.KindMatch, Filter: "kind:data", MaxPerMinute: 4},
		watch.Rule{Name: "count", Kind: watch.KindMatch, Filter: "kind:data", MaxPerMinute: 1})
	st.Until(t, "500 matching events", func() bool {
		n := 0
		for _, x := range a.all() {
			if x.Rule == "count" {
				n++
			}
		}
		return n == 1 && held(a.eng, "count") >= 500
	})
	n := 0
	for _, x := range a.all() {
		if x.Rule == "everything" {
			n++
		}
	}
	if n != 4 || held(a.eng, "everything") < 490 {
		t.Fatalf("%d alerts and %d held back, want the limit of 4 and the rest held", n, held(a.eng, "everything"))
	}
}
