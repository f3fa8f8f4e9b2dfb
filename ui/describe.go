package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/feedscope/feedscope/session/gotham"
	"github.com/feedscope/feedscope/session/hypothesis"
	"github.com/feedscope/feedscope/session/isymphony"
	"github.com/feedscope/feedscope/session/misskey"
)

// DescribeSub says in a few words what a native subscription asks for.
func DescribeSub(dialect string, spec json.RawMessage) string {
	switch dialect {
	case hypothesis.Name:
		f, err := hypothesis.ParseFilter(spec)
		if err != nil {
			break
		}
		if len(f.Clauses) == 0 {
			return "empty filter: receives nothing"
		}
		var parts []string
		for _, c := range f.Clauses {
			vals, _ := c.Values()
			parts = append(parts, c.Field+" = "+strings.Join(vals, " | "))
		}
		return "filter " + strings.Join(parts, " or ")
	case misskey.Name:
		s, err := misskey.ParseSub(spec)
		if err != nil {
			break
		}
		if s.Note != "" {
			return "note " + s.Note
		}
		if len(s.Params) > 0 {
			return s.Channel + " " + string(s.Params)
		}
		return s.Channel
	case gotham.Name:
		q, arg := gotham.ParseQuery(spec)
		if arg != nil {
			break
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
	case isymphony.Name:
		fs, err := isymphony.ParseFilters(spec)
		if err != nil {
			break
		}
		return isymphony.Explain(fs)
	}
	return fit(string(spec), 60)
}
