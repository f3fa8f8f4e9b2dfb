package gotham

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
)

// DescribeSub names a query's parts: "polygon of 5 points and speed ∈ {12}".
func (Dialect) DescribeSub(spec json.RawMessage) string {
	q, arg := ParseQuery(spec)
	if arg != nil {
		return ""
	}
	var parts []string
	if q.Location != nil {
		parts = append(parts, fmt.Sprintf("polygon of %d points", len(q.Location)))
	}
	if q.Time != nil {
		parts = append(parts, q.Time.Start+" … "+q.Time.End)
	}
	if q.Property != nil {
		vals := make([]string, len(q.Property.Values))
		for i, v := range q.Property.Values {
			vals[i] = string(v)
		}
		parts = append(parts, q.Property.Property+" ∈ {"+strings.Join(vals, ", ")+"}")
	}
	if len(parts) == 0 {
		return "everything ({})"
	}
	return strings.Join(parts, " and ")
}

// DefaultSub is every observation.
func (Dialect) DefaultSub() json.RawMessage { return json.RawMessage(`{}`) }

// CheckURL wants the observations path with a spec id, and preview=true: the
// socket is a preview API.
func (Dialect) CheckURL(p *session.Profile) *session.URLProblem {
	u, err := url.Parse(p.URL)
	if err != nil {
		return nil
	}
	spec := u.Path[strings.LastIndex(u.Path, "/")+1:]
	if !strings.Contains(u.Path, "/observations/") || spec == "" {
		return &session.URLProblem{Message: "a Gotham URL ends in /api/ws/gotham/v1/observations/{observationSpecId}"}
	}
	if u.Query().Get("preview") == "true" {
		return nil
	}
	return &session.URLProblem{
		Message: "the Gotham observations socket is a preview API: the URL needs preview=true",
		Fix: func(p *session.Profile) {
			u, err := url.Parse(p.URL)
			if err != nil {
				return
			}
			q := u.Query()
			q.Set("preview", "true")
			u.RawQuery = q.Encode()
			p.URL = u.String()
		},
	}
}

// ReplyOf recognises the answer to a subscribe.
func (Dialect) ReplyOf(e *session.Event) (session.Reply, bool) {
	if e.Dir == session.DirIn && e.Kind == "subscribed" {
		return session.Reply{Text: e.Kind + ": " + e.Summary}, true
	}
	return session.Reply{}, false
}

// PolygonSub is a location query for the area inside r.
func (Dialect) PolygonSub(r orb.Ring) (json.RawMessage, error) {
	return Dialect{}.WithPolygon(json.RawMessage(`{}`), r)
}

// SubPolygon reads a query's location polygon.
func (Dialect) SubPolygon(spec json.RawMessage) (orb.Ring, bool) {
	q, arg := ParseQuery(spec)
	if arg != nil || q.Location == nil {
		return nil, false
	}
	return geo.RingFromLocation(q.Location), true
}

// WithPolygon replaces a query's location, keeping its time and property parts.
func (Dialect) WithPolygon(spec json.RawMessage, r orb.Ring) (json.RawMessage, error) {
	q, arg := ParseQuery(spec)
	if arg != nil {
		return nil, fmt.Errorf("gotham subscribe: %s: %s", arg.Name, arg.Value)
	}
	q.Location = geo.LocationFromRing(r)
	b, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("gotham subscribe: %w", err)
	}
	if _, arg := ParseQuery(b); arg != nil {
		return nil, fmt.Errorf("gotham subscribe: %s: %s", arg.Name, arg.Value)
	}
	return b, nil
}
