// Package hypothesis speaks the Hypothesis Real Time API ("h streamer") from both
// ends: Dialect is the client Feedscope connects with, Server is the demo server's
// simulation of the service. Both follow docs/protocols.md §1.
package hypothesis

import (
	"encoding/json"
	"fmt"

	"github.com/feedscope/feedscope/session"
)

// Name is the dialect's key.
const Name = "hypothesis"

// Filter is the body of a `filter` message.
type Filter struct {
	MatchPolicy string          `json:"match_policy"`
	Clauses     []Clause        `json:"clauses"`
	Actions     map[string]bool `json:"actions"`
}

// Clause is one (field, values) pair of a filter; Value is a string or a list.
type Clause struct {
	Field         string          `json:"field"`
	Operator      string          `json:"operator,omitempty"`
	Value         json.RawMessage `json:"value"`
	CaseSensitive bool            `json:"case_sensitive,omitempty"`
}

// Fields the real server honours; any other is skipped silently.
var honoured = map[string]bool{"/id": true, "/group": true, "/uri": true, "/references": true}

// Values returns the clause's value as a set of strings.
func (c Clause) Values() ([]string, error) {
	var one string
	if err := json.Unmarshal(c.Value, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(c.Value, &many); err != nil {
		return nil, fmt.Errorf("value must be a string or a list of strings")
	}
	return many, nil
}

// ParseFilter checks a filter object as the real server's JSON schema does, and each
// clause as its worker would, naming the first faulty field.
func ParseFilter(raw json.RawMessage) (*Filter, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	for _, k := range []string{"match_policy", "clauses", "actions"} {
		if _, ok := top[k]; !ok {
			return nil, fmt.Errorf("filter: %q is missing", k)
		}
	}
	var f Filter
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	if f.MatchPolicy != "include_any" {
		return nil, fmt.Errorf("filter: match_policy must be \"include_any\", not %q", f.MatchPolicy)
	}
	var clauses []map[string]json.RawMessage
	_ = json.Unmarshal(top["clauses"], &clauses)
	for i, c := range clauses {
		for _, k := range []string{"field", "value"} {
			if _, ok := c[k]; !ok {
				return nil, &ClauseError{Index: i, Key: k}
			}
		}
		if _, err := f.Clauses[i].Values(); err != nil {
			return nil, fmt.Errorf("filter: clauses[%d]: %w", i, err)
		}
	}
	return &f, nil
}

// Annotation is the part of an annotation the demo server matches on and the client
// summarises; the wire carries many more fields.
type Annotation struct {
	ID         string   `json:"id"`
	User       string   `json:"user"`
	URI        string   `json:"uri"`
	Text       string   `json:"text"`
	Group      string   `json:"group"`
	References []string `json:"references,omitempty"`
}

// ClauseError is a clause lacking a key the server's worker needs.
type ClauseError struct {
	Index int
	Key   string
}

func (e *ClauseError) Error() string {
	return fmt.Sprintf("filter: clauses[%d]: %q is missing", e.Index, e.Key)
}

// Templates lists every client message type.
func (Dialect) Templates() []session.Template {
	return []session.Template{
		{Name: "filter", JSON: `{"id":3,"type":"filter","filter":{"match_policy":"include_any","clauses":[{"field":"/uri","operator":"one_of","value":["https://example.com/post"],"case_sensitive":false}],"actions":{"create":true,"update":true,"delete":true}}}`},
		{Name: "ping", JSON: `{"id":1,"type":"ping"}`},
		{Name: "whoami", JSON: `{"id":2,"type":"whoami"}`},
		{Name: "client_id", JSON: `{"id":4,"type":"client_id","value":"9f3c0123456789abcdef0123456789ab"}`},
		{Name: "legacy client_id", JSON: `{"messageType":"client_id","value":"9f3c0123456789abcdef0123456789ab"}`},
		{Name: "legacy filter", JSON: `{"filter":{"match_policy":"include_any","clauses":[{"field":"/group","value":"__world__"}],"actions":{"create":true}}}`},
	}
}

// CheckMessage checks a client frame as the real server would.
func (Dialect) CheckMessage(frame []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(frame, &m); err != nil {
		return fmt.Errorf("hypothesis: a message must be a JSON object (the server closes the socket on anything else)")
	}
	typ := ""
	_ = json.Unmarshal(m["type"], &typ)
	if _, has := m["type"]; !has {
		if _, has := m["messageType"]; has {
			_ = json.Unmarshal(m["messageType"], &typ)
		} else if _, has := m["filter"]; has {
			typ = "filter"
		}
	}
	switch typ {
	case "ping", "whoami":
	case "client_id":
		var v string
		if json.Unmarshal(m["value"], &v) != nil || v == "" {
			return fmt.Errorf("hypothesis client_id: \"value\" must be a non-empty string")
		}
	case "filter":
		f, ok := m["filter"]
		if !ok {
			return fmt.Errorf("hypothesis filter: \"filter\" is missing")
		}
		if _, err := ParseFilter(f); err != nil {
			return fmt.Errorf("hypothesis %w", err)
		}
	default:
		return fmt.Errorf("hypothesis: unknown message type %q (want ping, whoami, filter or client_id)", typ)
	}
	if id, ok := m["id"]; ok {
		var n float64
		if json.Unmarshal(id, &n) != nil {
			return fmt.Errorf("hypothesis: \"id\" must be a number, or the server acts without replying")
		}
	}
	return nil
}

// SubscriptionOf returns the filter of a filter message.
func (Dialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var m struct {
		Type   string          `json:"type"`
		Filter json.RawMessage `json:"filter"`
	}
	if json.Unmarshal(frame, &m) != nil || m.Filter == nil || m.Type != "" && m.Type != "filter" {
		return nil, false
	}
	return m.Filter, true
}

// BuildFilter makes a filter from clause rows; empty rows are skipped.
func BuildFilter(clauses []Clause, actions map[string]bool) json.RawMessage {
	f := Filter{MatchPolicy: "include_any", Clauses: []Clause{}, Actions: actions}
	for _, c := range clauses {
		if c.Field != "" && len(c.Value) > 0 {
			f.Clauses = append(f.Clauses, c)
		}
	}
	b, _ := json.Marshal(f)
	return b
}
