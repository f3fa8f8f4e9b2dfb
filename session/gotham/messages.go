// Package gotham speaks Palantir Gotham's observations websocket from both ends:
// Dialect is the client Feedscope connects with, Server the demo server's simulation
// of a Geotime feed. Both follow docs/protocols.md §3.
package gotham

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/feedscope/feedscope/geo"
)

// Name is the dialect's key.
const Name = "gotham"

// Query is an ObservationQuery: every field optional, combined with AND; `{}`
// matches everything newly ingested.
type Query struct {
	Time     *TimeRange     `json:"time,omitempty"`
	Location []geo.Position `json:"location,omitempty"`
	Property *PropertyQuery `json:"property,omitempty"`
}

// TimeRange is inclusive at both ends.
type TimeRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// PropertyQuery is an any-of match on one property.
type PropertyQuery struct {
	Property string            `json:"property"`
	Values   []json.RawMessage `json:"values"`
}

// Arg is one named argument of a server error.
type Arg struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ServerError is one entry of a `subscribed` reply's errors.
type ServerError struct {
	Error string `json:"error"`
	Args  []Arg  `json:"args"`
}

func (e ServerError) String() string {
	s := e.Error
	for _, a := range e.Args {
		s += ": " + a.Name + ": " + a.Value
	}
	return s
}

// Position is an observation's position.
type Position = geo.Position

// Property is one static or live property of an observation.
type Property struct {
	PropertyType string          `json:"propertyType"`
	Value        json.RawMessage `json:"value"`
}

// Observation is one position report of one track.
type Observation struct {
	SourceSystemID    string          `json:"sourceSystemId"`
	CollectionID      string          `json:"collectionId"`
	ObservationSpecID string          `json:"observationSpecId"`
	TrackID           string          `json:"trackId"`
	Position          Position        `json:"position"`
	Timestamp         string          `json:"timestamp"`
	Name              string          `json:"name,omitempty"`
	StaticProperties  []Property      `json:"staticProperties"`
	LiveProperties    []Property      `json:"liveProperties"`
	Style             json.RawMessage `json:"style,omitempty"`
}

// ParseQuery decodes and checks a query; the error names the faulty argument the way
// the demo server reports it.
func ParseQuery(raw json.RawMessage) (*Query, *Arg) {
	var q Query
	// Fields we do not know are sent as they are (QueryWarnings names them): the
	// official Python SDK's ObservationQuery allows extra fields
	// (palantir/gotham-platform-python gotham/v1/geotime/models.py).
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&q); err != nil {
		return nil, &Arg{Name: "query", Value: err.Error()}
	}
	if q.Time != nil {
		s, err1 := time.Parse(time.RFC3339, q.Time.Start)
		e, err2 := time.Parse(time.RFC3339, q.Time.End)
		switch {
		case err1 != nil:
			return nil, &Arg{Name: "time.start", Value: "must be an ISO-8601 UTC timestamp like 2025-03-01T00:00:00Z"}
		case err2 != nil:
			return nil, &Arg{Name: "time.end", Value: "must be an ISO-8601 UTC timestamp like 2025-03-02T00:00:00Z"}
		case e.Before(s):
			return nil, &Arg{Name: "time", Value: "end is before start"}
		}
	}
	if q.Location != nil {
		if err := geo.Check(geo.RingFromLocation(q.Location)); err != nil {
			return nil, &Arg{Name: "location", Value: err.Error()}
		}
	}
	if q.Property != nil {
		if q.Property.Property == "" {
			return nil, &Arg{Name: "property.property", Value: "is missing"}
		}
		if len(q.Property.Values) == 0 {
			return nil, &Arg{Name: "property.values", Value: "needs at least one value"}
		}
	}
	return &q, nil
}

// QueryWarnings lists what about a valid query the docs would not expect, though it
// is sent as it is: fields the docs do not list, a clockwise polygon.
func QueryWarnings(raw json.RawMessage) []string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	var out []string
	for _, k := range sortedKeys(fields) {
		if k != "time" && k != "location" && k != "property" {
			out = append(out, fmt.Sprintf("query field %q is not in the docs (time, location, property); sent as it is", k))
		}
	}
	var q Query
	if json.Unmarshal(raw, &q) == nil && len(q.Location) > 0 {
		for _, f := range geo.Validate(geo.RingFromLocation(q.Location)) {
			if f.Warning() {
				out = append(out, "location: "+f.Error()+"; sent as it is")
			}
		}
	}
	return out
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SameValue compares a query value with a property value: numbers numerically
// (Decimal and Long travel as strings), anything else as its JSON text.
func SameValue(a, b json.RawMessage) bool {
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			return fa == fb
		}
	}
	return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
}

func number(v json.RawMessage) (float64, bool) {
	var f float64
	if json.Unmarshal(v, &f) == nil {
		return f, true
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
			return f, true
		}
	}
	return 0, false
}

// Key is the observation's track, as the reference identifies it.
func (o *Observation) Key() geo.TrackKey {
	return geo.TrackKey{SourceSystemID: o.SourceSystemID, CollectionID: o.CollectionID, ObservationSpecID: o.ObservationSpecID, TrackID: o.TrackID}
}

// Label is the track's name, or its id when it has none.
func (o *Observation) Label() string {
	if o.Name != "" {
		return o.Name
	}
	return o.TrackID
}

// knot is a knot in metres a second.
const knot = 1852.0 / 3600

// Speed is the live speed property (knots on the wire) in metres a second.
func (o *Observation) Speed() *float64 {
	if v, ok := o.live("speed"); ok {
		v *= knot
		return &v
	}
	return nil
}

// Heading is the live heading property, degrees clockwise from north.
func (o *Observation) Heading() *float64 {
	if v, ok := o.live("heading"); ok {
		return &v
	}
	return nil
}

func (o *Observation) live(name string) (float64, bool) {
	for _, p := range o.LiveProperties {
		if p.PropertyType == name {
			if v, ok := number(p.Value); ok && !math.IsInf(v, 0) {
				return v, true
			}
		}
	}
	return 0, false
}

// Summary is a one-line description of an observation.
func (o *Observation) Summary() string {
	s := o.Name
	if s == "" {
		s = o.TrackID
	} else {
		s += " (" + o.TrackID + ")"
	}
	for _, p := range o.LiveProperties {
		switch p.PropertyType {
		case "speed":
			s += " · " + string(p.Value) + " kn"
		case "heading":
			s += " · " + string(p.Value) + "°"
		case "altitude":
			s += " · " + string(p.Value) + " ft"
		}
	}
	return s + fmt.Sprintf(" @ %.4f, %.4f", o.Position.Latitude, o.Position.Longitude)
}
