// Package query is the filter language of the event table, tail --filter and
// watch rules: free text, field:value, /regex/ and -negation, every term ANDed.
package query

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// Query is a parsed filter: every term must match. A term is free text (matched
// case-insensitively against kind, summary, profile and sub), `field:value` for
// profile, dialect, sub, kind or dir (value prefix-matched, case-insensitive), or
// `/regex/` matched against the summary and the raw frame. A leading `-` negates.
type Query struct {
	terms []term
	text  string
}

type term struct {
	field string // "" for free text and regex
	value string
	re    *regexp.Regexp
	not   bool
}

var queryFields = map[string]bool{"profile": true, "dialect": true, "sub": true, "kind": true, "dir": true}

// Parse parses a filter's text; the error says which term is wrong.
func Parse(s string) (Query, error) {
	q := Query{text: s}
	for _, tok := range splitTerms(s) {
		t := term{}
		if strings.HasPrefix(tok, "-") && len(tok) > 1 {
			t.not, tok = true, tok[1:]
		}
		switch {
		case len(tok) >= 2 && strings.HasPrefix(tok, "/") && strings.HasSuffix(tok, "/"):
			re, err := regexp.Compile("(?i)" + tok[1:len(tok)-1])
			if err != nil {
				return Query{}, fmt.Errorf("filter %s: %v", tok, err)
			}
			t.re = re
		case strings.Contains(tok, ":") && queryFields[strings.ToLower(tok[:strings.Index(tok, ":")])]:
			i := strings.Index(tok, ":")
			t.field, t.value = strings.ToLower(tok[:i]), strings.ToLower(tok[i+1:])
		default:
			t.value = strings.ToLower(tok)
		}
		q.terms = append(q.terms, t)
	}
	return q, nil
}

// splitTerms splits on spaces outside /regex/ and "quotes".
func splitTerms(s string) []string {
	var out []string
	var cur strings.Builder
	inRe, inQ := false, false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i, r := range s {
		switch {
		case r == '"' && !inRe:
			inQ = !inQ
			continue
		case r == '/' && !inQ && (cur.Len() == 0 || cur.String() == "-" || inRe):
			if inRe && (i+1 == len(s) || s[i+1] == ' ') {
				inRe = false
			} else if !inRe {
				inRe = true
			}
		case r == ' ' && !inRe && !inQ:
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}

// Empty reports whether the query passes everything.
func (q Query) Empty() bool { return len(q.terms) == 0 }

// String returns the text the query was parsed from.
func (q Query) String() string { return q.text }

// Match reports whether e passes every term.
func (q Query) Match(e *session.Event) bool {
	for i := range q.terms {
		if q.terms[i].match(e) == q.terms[i].not {
			return false
		}
	}
	return true
}

func (t *term) match(e *session.Event) bool {
	if t.re != nil {
		return t.re.MatchString(e.Summary) || t.re.Match(e.Raw)
	}
	switch t.field {
	case "profile":
		return hasPrefixFold(e.Profile, t.value)
	case "dialect":
		return hasPrefixFold(e.Dialect, t.value)
	case "sub":
		return strings.EqualFold(e.Sub, t.value)
	case "kind":
		return hasPrefixFold(e.Kind, t.value)
	case "dir":
		return hasPrefixFold(e.Dir, t.value)
	}
	return containsFold(e.Summary, t.value) || containsFold(e.Kind, t.value) ||
		containsFold(e.Profile, t.value) || e.Sub == t.value
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold is strings.Contains, ignoring case; sub is already lower case.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
