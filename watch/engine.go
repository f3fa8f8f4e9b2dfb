package watch

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/feedscope/feedscope/session"
)

// DirAlert is the direction of the Event an alert becomes (Alert.Event): tail
// prints it as one NDJSON line like any other event.
const DirAlert = "alert"

// Alert is one firing of a rule.
type Alert struct {
	Time    time.Time
	Rule    string // the rule's name
	Kind    string // the rule's kind
	Profile string
	Sub     string
	Text    string // what happened, in words
	// Suppressed is how many alerts of this rule its limit held back since the
	// one before this.
	Suppressed int
	// Cause is the event that fired the rule; a silence has none. Its Raw is lent
	// as the event was (session.Sink): Event copies what it needs of it.
	Cause *session.Event
}

// Event is the alert as a session Event (Dir "alert"), with the cause's place and
// subject, and a Raw object naming the rule, its kind, what was held back and the
// cause.
func (a Alert) Event() session.Event {
	e := session.Event{Time: a.Time, Profile: a.Profile, Dir: DirAlert, Sub: a.Sub, Kind: a.Kind, Summary: a.Rule + ": " + a.Text}
	raw := []byte(`{"rule":`)
	name, _ := json.Marshal(a.Rule)
	raw = append(raw, name...)
	raw = append(raw, `,"kind":"`+a.Kind+`","suppressed":`...)
	raw = append(raw, fmt.Sprint(a.Suppressed)...)
	if c := a.Cause; c != nil {
		e.Dialect, e.Geo, e.Key, e.Label, e.Heading, e.Speed = c.Dialect, c.Geo, c.Key, c.Label, c.Heading, c.Speed
		raw = append(raw, `,"event":`...)
		raw = c.AppendJSON(raw)
	}
	e.Raw = append(raw, '}')
	return e
}

// Engine runs rules over events. Observe and Tick may be called from any
// goroutine.
type Engine struct {
	mu    sync.Mutex
	rules []*running
}

// running is a rule and what it remembers.
type running struct {
	*compiled
	started time.Time
	inside  map[string]bool // geofence: subject → inside; absent until clearly one or the other
	last    time.Time       // silence: the last event in scope
	quiet   bool            // silence: fired, until the next event
	slow    bool            // rate: fired, until the rate recovers
	counts  buckets         // rate: events per second over the window
	retries map[string][]time.Time
	sent    []time.Time // alerts let through in the last minute
	held    int         // alerts held back since the last one let through
	fired   int         // alerts let through
}

// New starts an engine; silence is measured from now.
func New(rules []Rule, now time.Time) (*Engine, error) {
	e := &Engine{}
	for _, r := range rules {
		c, err := compile(r)
		if err != nil {
			return nil, err
		}
		run := &running{compiled: c, started: now, last: now, inside: map[string]bool{}, retries: map[string][]time.Time{}}
		if c.Kind == KindSilence && c.MinRate > 0 {
			run.counts = newBuckets(c.window, now)
		}
		e.rules = append(e.rules, run)
	}
	return e, nil
}

// Rules returns the rules the engine runs.
func (e *Engine) Rules() []Rule {
	out := make([]Rule, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.Rule
	}
	return out
}

// Stat is what one rule has done.
type Stat struct {
	Rule  string
	Fired int // alerts let through
	Held  int // alerts its limit held back since the last let through
}

// Stats reports every rule's counts, in the order of the rules.
func (e *Engine) Stats() []Stat {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Stat, len(e.rules))
	for i, r := range e.rules {
		out[i] = Stat{Rule: r.Name, Fired: r.fired, Held: r.held}
	}
	return out
}

// inScope reports whether the rule looks at e.
func (r *running) inScope(e *session.Event) bool {
	return (r.Profile == "" || r.Profile == e.Profile) && (r.Sub == "" || r.Sub == e.Sub)
}

// Observe feeds one event to every rule and returns the alerts it raises.
func (e *Engine) Observe(ev session.Event) []Alert {
	if ev.Dir == DirAlert {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Alert
	for _, r := range e.rules {
		if !r.inScope(&ev) {
			continue
		}
		if a, ok := r.observe(&ev); ok {
			if r.admit(&a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// Tick checks the time-driven rules (silence, rate) at now.
func (e *Engine) Tick(now time.Time) []Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Alert
	for _, r := range e.rules {
		if r.Kind != KindSilence {
			continue
		}
		scope := r.Profile
		if r.Sub != "" {
			scope += " sub " + r.Sub
		}
		if scope == "" {
			scope = "the feed"
		}
		var a Alert
		fired := false
		if r.ForS > 0 && !r.quiet && now.Sub(r.last) >= seconds(r.ForS) {
			r.quiet, fired = true, true
			a = Alert{Time: now, Text: fmt.Sprintf("nothing from %s for %s", scope, now.Sub(r.last).Round(time.Second))}
		}
		if r.MinRate > 0 && !fired && now.Sub(r.started) >= r.window {
			rate := r.counts.rate(now)
			switch {
			case rate < r.MinRate && !r.slow:
				r.slow, fired = true, true
				a = Alert{Time: now, Text: fmt.Sprintf("%s receives %.2f events/s, below %g/s", scope, rate, r.MinRate)}
			case rate >= r.MinRate:
				r.slow = false
			}
		}
		if fired {
			a.Rule, a.Kind, a.Profile, a.Sub = r.Name, r.Kind, r.Profile, r.Sub
			if r.admit(&a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func (r *running) observe(ev *session.Event) (Alert, bool) {
	a := Alert{Time: ev.Time, Rule: r.Name, Kind: r.Kind, Profile: ev.Profile, Sub: ev.Sub, Cause: ev}
	if a.Time.IsZero() {
		a.Time = time.Now()
	}
	switch r.Kind {
	case KindMatch:
		if r.q.Match(ev) {
			a.Text = ev.Summary
			return a, true
		}
	case KindGeofence:
		return r.geofence(ev, a)
	case KindSilence:
		if ev.Dir != session.DirIn {
			return a, false
		}
		t := ev.Time
		if t.IsZero() {
			t = time.Now()
		}
		r.last, r.quiet = t, false
		if r.MinRate > 0 {
			r.counts.add(t)
		}
	case KindState:
		if ev.Dir != session.DirState {
			return a, false
		}
		switch r.When {
		case WhenRejected:
			if ev.Kind == session.StateClosed && strings.HasPrefix(ev.Summary, "rejected") {
				a.Text = ev.Profile + " was " + ev.Summary
				return a, true
			}
		case WhenReconnecting:
			switch ev.Kind {
			case session.StateOpen:
				delete(r.retries, ev.Profile)
			case session.StateReconnecting:
				cut := a.Time.Add(-r.window)
				ts := r.retries[ev.Profile][:0]
				for _, t := range r.retries[ev.Profile] {
					if t.After(cut) {
						ts = append(ts, t)
					}
				}
				ts = append(ts, a.Time)
				r.retries[ev.Profile] = ts
				if len(ts) >= r.Reconnects {
					delete(r.retries, ev.Profile)
					a.Text = fmt.Sprintf("%s reconnected %d times within %s: %s", ev.Profile, len(ts), r.window, ev.Summary)
					return a, true
				}
			}
		}
	}
	return a, false
}

// geofence moves a subject in or out only once it is Margin past the edge, so
// that a track sitting on the edge does not flap.
func (r *running) geofence(ev *session.Event, a Alert) (Alert, bool) {
	if ev.Dir != session.DirIn || ev.Geo == nil {
		return a, false
	}
	p := orb.Point{ev.Geo.Lon, ev.Geo.Lat}
	var in bool
	if !padded(r.bound, r.margin, p[1]).Contains(p) {
		in = false
	} else {
		in = planar.RingContains(r.ring, p)
		if edgeMetres(r.ring, p) < r.margin {
			return a, false // within the margin: no change either way
		}
	}
	key := subject(ev)
	was, known := r.inside[key]
	r.inside[key] = in
	if !known || was == in {
		return a, false
	}
	name := ev.Label
	if name == "" {
		name = key
	}
	if in && r.On != OnLeave {
		a.Text = name + " entered " + r.Name
		return a, true
	}
	if !in && r.On != OnEnter {
		a.Text = name + " left " + r.Name
		return a, true
	}
	return a, false
}

// subject is who an event is about: its key, else its label, else its profile and
// subscription.
func subject(ev *session.Event) string {
	switch {
	case ev.Key != "":
		return ev.Key
	case ev.Label != "":
		return ev.Label
	}
	return ev.Profile + "/" + ev.Sub
}

const metresPerDegree = 111_320.0

// padded grows a lon/lat bound by m metres at latitude lat.
func padded(b orb.Bound, m, lat float64) orb.Bound {
	dy := m / metresPerDegree
	dx := dy / math.Max(0.01, math.Cos(lat*math.Pi/180))
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

// edgeMetres is the distance from p to the ring's nearest edge, in metres, on a
// plane tangent at p (good to a fraction of a percent over a city).
func edgeMetres(ring orb.Ring, p orb.Point) float64 {
	k := math.Cos(p[1] * math.Pi / 180)
	best := math.Inf(1)
	for i := 1; i < len(ring); i++ {
		ax, ay := (ring[i-1][0]-p[0])*k, ring[i-1][1]-p[1]
		bx, by := (ring[i][0]-p[0])*k, ring[i][1]-p[1]
		dx, dy := bx-ax, by-ay
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
		}
		best = math.Min(best, math.Hypot(ax+t*dx, ay+t*dy))
	}
	return best * metresPerDegree
}

// admit applies the rule's storm limit: at most MaxPerMinute alerts in any
// minute; the ones held back are counted into the next let through.
func (r *running) admit(a *Alert) bool {
	cut := a.Time.Add(-time.Minute)
	keep := r.sent[:0]
	for _, t := range r.sent {
		if t.After(cut) {
			keep = append(keep, t)
		}
	}
	r.sent = keep
	if len(r.sent) >= r.MaxPerMinute {
		r.held++
		return false
	}
	a.Suppressed, r.held = r.held, 0
	r.sent = append(r.sent, a.Time)
	r.fired++
	return true
}

// buckets counts events per second over a window, in constant memory however
// fast they come.
type buckets struct {
	n    []int // slot s % len(n) counts Unix second s
	last int64 // the newest second counted
}

func newBuckets(window time.Duration, now time.Time) buckets {
	size := int(math.Ceil(window.Seconds()))
	if size < 1 {
		size = 1
	}
	return buckets{n: make([]int, size), last: now.Unix()}
}

// advance moves the window's end to second s, zeroing the seconds it skips.
func (b *buckets) advance(s int64) {
	if s <= b.last {
		return
	}
	steps := s - b.last
	if steps > int64(len(b.n)) {
		steps = int64(len(b.n))
	}
	for i := int64(1); i <= steps; i++ {
		b.n[(b.last+i)%int64(len(b.n))] = 0
	}
	b.last = s
}

func (b *buckets) add(t time.Time) {
	s := t.Unix()
	b.advance(s)
	if s > b.last-int64(len(b.n)) {
		b.n[s%int64(len(b.n))]++
	}
}

// rate is events a second over the window ending now (the current second not
// yet complete counts too).
func (b *buckets) rate(now time.Time) float64 {
	b.advance(now.Unix())
	sum := 0
	for _, c := range b.n {
		sum += c
	}
	return float64(sum) / float64(len(b.n))
}
