// Package watch is Feedscope's watch rules: it turns a stream of session Events
// into alerts when an event matches a filter, a track enters or leaves a polygon,
// a feed goes quiet or a profile is refused or keeps reconnecting. Each rule is
// rate-limited so that a firehose cannot storm whoever is paged. It imports no UI
// toolkit: the app and `tail --alert` share it.
package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/query"
)

// Kinds of rule.
const (
	KindMatch    = "match"    // an event matches Filter
	KindGeofence = "geofence" // a track enters or leaves Polygon
	KindSilence  = "silence"  // nothing for For, or the rate drops below MinRate
	KindState    = "state"    // the profile is rejected, or reconnects Reconnects times within Window
)

// Geofence transitions (Rule.On).
const (
	OnEnter = "enter"
	OnLeave = "leave"
	OnBoth  = "both"
)

// State conditions (Rule.When).
const (
	WhenRejected     = "rejected"
	WhenReconnecting = "reconnecting"
)

// Rule is one watch rule as it is saved (JSON, with the profiles). Profile and
// Sub narrow the events it sees; empty means all.
type Rule struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Profile string `json:"profile,omitempty"`
	Sub     string `json:"sub,omitempty"`

	// match: the event table's filter syntax (package query).
	Filter string `json:"filter,omitempty"`

	// geofence: a ring of [lon, lat] pairs, its transitions, and the margin in
	// metres a track must be past the edge before it counts as in or out.
	Polygon [][2]float64 `json:"polygon,omitempty"`
	On      string       `json:"on,omitempty"`
	MarginM float64      `json:"margin_m,omitempty"`

	// silence: nothing received for ForS seconds, or fewer than MinRate events a
	// second over WindowS seconds.
	ForS    float64 `json:"for_s,omitempty"`
	MinRate float64 `json:"min_rate,omitempty"`
	WindowS float64 `json:"window_s,omitempty"`

	// state: WhenRejected, or WhenReconnecting Reconnects times within WindowS.
	When       string `json:"when,omitempty"`
	Reconnects int    `json:"reconnects,omitempty"`

	// MaxPerMinute bounds the alerts the rule raises (default 6); the rest are
	// counted and reported with the next alert let through.
	MaxPerMinute int `json:"max_per_minute,omitempty"`
}

// Defaults.
const (
	DefaultMarginM      = 25
	DefaultMaxPerMinute = 6
	DefaultRateWindow   = 10 * time.Second
	DefaultReconnects   = 3
	DefaultReconnectWin = 60 * time.Second
)

// Check reports the first thing wrong with a rule, in words for its editor.
func (r Rule) Check() error {
	_, err := compile(r)
	return err
}

// ParseRules reads a JSON array of rules (or a single rule) and checks each.
func ParseRules(data []byte) ([]Rule, error) {
	var rules []Rule
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "{") {
		var r Rule
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("watch rule: %w", err)
		}
		rules = []Rule{r}
	} else if err := json.Unmarshal(data, &rules); err != nil {
		return nil, fmt.Errorf("watch rules: %w", err)
	}
	for i, r := range rules {
		if err := r.Check(); err != nil {
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
	}
	return rules, nil
}

// ParseShorthand reads a rule from the command line: JSON, or one of
//
//	match:FILTER             e.g. match:kind:data "MV Example"
//	silence:SECONDS          e.g. silence:30
//	rate:EVENTS_PER_SECOND   e.g. rate:0.5
//	state:rejected | state:reconnecting
func ParseShorthand(s string) (Rule, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var r Rule
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return Rule{}, fmt.Errorf("watch rule: %w", err)
		}
		return r, r.Check()
	}
	kind, arg, ok := strings.Cut(s, ":")
	if !ok {
		return Rule{}, fmt.Errorf("watch rule %q: want JSON or match:FILTER, silence:SECONDS, rate:PER_SECOND, state:rejected|reconnecting", s)
	}
	r := Rule{Name: s}
	switch kind {
	case "match":
		r.Kind, r.Filter = KindMatch, arg
	case "silence":
		f, err := strconv.ParseFloat(strings.TrimSuffix(arg, "s"), 64)
		if err != nil {
			return Rule{}, fmt.Errorf("watch rule %q: silence takes seconds, e.g. silence:30", s)
		}
		r.Kind, r.ForS = KindSilence, f
	case "rate":
		f, err := strconv.ParseFloat(arg, 64)
		if err != nil {
			return Rule{}, fmt.Errorf("watch rule %q: rate takes events a second, e.g. rate:0.5", s)
		}
		r.Kind, r.MinRate = KindSilence, f
	case "state":
		r.Kind, r.When = KindState, arg
	default:
		return Rule{}, fmt.Errorf("watch rule %q: unknown kind %q (match, silence, rate, state; a geofence is JSON)", s, kind)
	}
	return r, r.Check()
}

// Ring is the geofence's polygon as an orb ring, closed.
func (r Rule) Ring() orb.Ring {
	ring := make(orb.Ring, len(r.Polygon))
	for i, p := range r.Polygon {
		ring[i] = orb.Point{p[0], p[1]}
	}
	if len(ring) > 0 && !ring[0].Equal(ring[len(ring)-1]) {
		ring = append(ring, ring[0])
	}
	return ring
}

// SetRing stores an orb ring as the geofence's polygon.
func (r *Rule) SetRing(ring orb.Ring) {
	r.Polygon = r.Polygon[:0]
	for _, p := range ring {
		r.Polygon = append(r.Polygon, [2]float64{p[0], p[1]})
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// compiled is a rule ready to run.
type compiled struct {
	Rule
	q      query.Query
	ring   orb.Ring
	bound  orb.Bound
	margin float64
	window time.Duration
}

func compile(r Rule) (*compiled, error) {
	c := &compiled{Rule: r}
	if strings.TrimSpace(r.Name) == "" {
		return nil, errors.New("a rule needs a name")
	}
	switch r.Kind {
	case KindMatch:
		if strings.TrimSpace(r.Filter) == "" {
			return nil, fmt.Errorf("rule %q: a match rule needs a filter, e.g. kind:data", r.Name)
		}
		q, err := query.Parse(r.Filter)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		c.q = q
	case KindGeofence:
		c.ring = geo.Repair(r.Ring())
		if err := geo.Check(c.ring); err != nil {
			return nil, fmt.Errorf("rule %q: polygon: %w", r.Name, err)
		}
		c.bound = c.ring.Bound()
		switch r.On {
		case "":
			c.On = OnEnter
		case OnEnter, OnLeave, OnBoth:
		default:
			return nil, fmt.Errorf("rule %q: on must be enter, leave or both, not %q", r.Name, r.On)
		}
		c.margin = r.MarginM
		if c.margin == 0 {
			c.margin = DefaultMarginM
		}
		if c.margin < 0 {
			return nil, fmt.Errorf("rule %q: the margin must not be negative", r.Name)
		}
	case KindSilence:
		if r.ForS <= 0 && r.MinRate <= 0 {
			return nil, fmt.Errorf("rule %q: a silence rule needs for_s (seconds without events) or min_rate (events a second)", r.Name)
		}
		if r.ForS < 0 || r.MinRate < 0 || r.WindowS < 0 {
			return nil, fmt.Errorf("rule %q: durations and rates must not be negative", r.Name)
		}
		c.window = seconds(r.WindowS)
		if c.window == 0 {
			c.window = DefaultRateWindow
		}
	case KindState:
		switch r.When {
		case WhenRejected:
		case WhenReconnecting:
			if c.Reconnects == 0 {
				c.Reconnects = DefaultReconnects
			}
			c.window = seconds(r.WindowS)
			if c.window == 0 {
				c.window = DefaultReconnectWin
			}
		default:
			return nil, fmt.Errorf("rule %q: when must be rejected or reconnecting, not %q", r.Name, r.When)
		}
	default:
		return nil, fmt.Errorf("rule %q: unknown kind %q (match, geofence, silence or state)", r.Name, r.Kind)
	}
	if c.MaxPerMinute < 0 {
		return nil, fmt.Errorf("rule %q: max_per_minute must not be negative", r.Name)
	}
	if c.MaxPerMinute == 0 {
		c.MaxPerMinute = DefaultMaxPerMinute
	}
	return c, nil
}
