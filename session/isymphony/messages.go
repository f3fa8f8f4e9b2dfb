// Package isymphony speaks the iSymphony WebSocket Event API from both ends: Dialect
// is the client Feedscope connects with, Server the demo server's simulation of a
// small PBX. Both follow docs/protocols.md §4.
package isymphony

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Name is the dialect's key.
const Name = "isymphony"

// Filter selects events in by one property's value; "*" matches any value present.
type Filter struct {
	Property string `json:"property"`
	Value    string `json:"value"`
}

// ParseFilters checks a filter set, naming the faulty entry.
func ParseFilters(raw json.RawMessage) ([]Filter, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("isymphony filters: must be an array of {\"property\":…,\"value\":…}: %w", err)
	}
	out := make([]Filter, len(items))
	for i, it := range items {
		for _, k := range []string{"property", "value"} {
			var s string
			if err := json.Unmarshal(it[k], &s); err != nil {
				return nil, fmt.Errorf("isymphony filters[%d]: %q must be a string", i, k)
			}
			if k == "property" {
				if s == "" {
					return nil, fmt.Errorf("isymphony filters[%d]: \"property\" is empty", i)
				}
				out[i].Property = s
			} else {
				out[i].Value = s
			}
		}
	}
	return out, nil
}

// aliases are the event names the published examples use for the real ones.
var aliases = map[string]string{"login": "userLogin", "logout": "userLogout"}

// Match applies a filter set to an event: OR among filters on one property, AND
// across properties; an event lacking a filtered property never passes. A nil set
// (no filter sent yet) or an empty one passes everything.
func Match(filters []Filter, event map[string]any) bool {
	order, byProp := byProperty(filters)
	for _, prop := range order {
		v, ok := event[prop]
		if !ok || v == nil {
			return false
		}
		got := valueString(v)
		hit := false
		for _, want := range byProp[prop] {
			if want == "*" || want == got || prop == "type" && aliases[want] == got {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// valueString renders a property for comparison: values compare as strings.
func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// byProperty groups a filter set's values by property, properties in first-seen
// order.
func byProperty(filters []Filter) (order []string, values map[string][]string) {
	values = map[string][]string{}
	for _, f := range filters {
		if _, seen := values[f.Property]; !seen {
			order = append(order, f.Property)
		}
		values[f.Property] = append(values[f.Property], f.Value)
	}
	return order, values
}
