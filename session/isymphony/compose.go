package isymphony

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// Templates lists the one client message type.
func (Dialect) Templates() []session.Template {
	return []session.Template{
		{Name: "filter", JSON: `{"type":"filter","filters":[{"property":"type","value":"userLogin"},{"property":"type","value":"userLogout"},{"property":"username","value":"mikey"}]}`},
		{Name: "filter (everything)", JSON: `{"type":"filter","filters":[]}`},
	}
}

// CheckMessage checks a filter message.
func (Dialect) CheckMessage(frame []byte) error {
	var m struct {
		Type    string          `json:"type"`
		Filters json.RawMessage `json:"filters"`
	}
	if err := json.Unmarshal(frame, &m); err != nil {
		return fmt.Errorf("isymphony: a message must be a JSON object")
	}
	if m.Type != "filter" {
		return fmt.Errorf("isymphony: unknown message type %q (the only one is filter)", m.Type)
	}
	_, err := ParseFilters(m.Filters)
	return err
}

// SubscriptionOf returns the filters of a filter message.
func (Dialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var m struct {
		Type    string          `json:"type"`
		Filters json.RawMessage `json:"filters"`
	}
	if json.Unmarshal(frame, &m) != nil || m.Type != "filter" || m.Filters == nil {
		return nil, false
	}
	return m.Filters, true
}

// Explain says in words what a filter set passes, e.g. "type is userLogin or
// userLogout, and username is mikey".
func Explain(filters []Filter) string {
	if len(filters) == 0 {
		return "every event passes"
	}
	order, by := byProperty(filters)
	parts := make([]string, len(order))
	for i, p := range order {
		vals := by[p]
		if contains(vals, "*") {
			parts[i] = p + " is present"
			continue
		}
		sort.Strings(vals)
		parts[i] = p + " is " + strings.Join(vals, " or ")
	}
	return strings.Join(parts, ", and ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Resubscribe replaces the filter set in place.
func (c *Client) Resubscribe(w *session.Wire, sub *session.Sub, spec json.RawMessage) {
	sub.Spec, sub.Error, sub.State = spec, "", session.SubOffline
	if w.IsOpen() {
		sub.State = session.SubPending
	}
	c.send(w, sub.ID, spec)
}
