// Package query is the filter language of the event table, tail --filter and
// watch rules: free text, field:value, /regex/ and -negation, every term ANDed.
package query

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// Query is a parsed filter: every term must match. A term is free text (matched
// case-insensitively against kind, summary, profile, sub and the raw frame), `field:value` for
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

// ReadsText reports whether Match looks at an event's Summary or Raw (free text
// or a regex): a query of fields alone can walk the ring with EachHead.
func (q Query) ReadsText() bool {
	for _, t := range q.terms {
		if t.field == "" {
			return true
		}
	}
	return false
}

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
		containsFold(e.Profile, t.value) || e.Sub == t.value || containsFoldBytes(e.Raw, t.value)
}

// containsFoldBytes reports whether b holds sub (lower case) ignoring case: an id
// copied from a frame finds the frame.
func containsFoldBytes(b []byte, sub string) bool {
	for i := 0; i < len(sub); i++ {
		if sub[i] >= 0x80 {
			return bytes.Contains(bytes.ToLower(b), []byte(sub))
		}
	}
	return indexFoldASCII(b, sub, bytes.IndexByte) >= 0
}

// indexFoldASCII finds the lower-case ASCII sub in b ignoring case. It jumps
// between the occurrences of sub's first byte in either case, so a miss costs
// about two IndexByte passes and nothing is allocated.
func indexFoldASCII[T string | []byte](b T, sub string, indexByte func(T, byte) int) int {
	if sub == "" {
		return 0
	}
	lo, up := sub[0], sub[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	for i := 0; i+len(sub) <= len(b); i++ {
		j := indexByte(b[i:], lo)
		if up != lo {
			if k := indexByte(b[i:], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 || i+j+len(sub) > len(b) {
			return -1
		}
		i += j
		if equalFoldASCII(b[i+1:i+len(sub)], sub[1:]) {
			return i
		}
	}
	return -1
}

// equalFoldASCII compares b with the lower-case ASCII s, folding b's letters.
func equalFoldASCII[T string | []byte](b T, s string) bool {
	for i := 0; i < len(s); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold is strings.Contains ignoring case; sub is already lower case.
func containsFold(s, sub string) bool {
	for i := 0; i < len(sub); i++ {
		if sub[i] >= 0x80 {
			return strings.Contains(strings.ToLower(s), sub)
		}
	}
	return indexFoldASCII(s, sub, strings.IndexByte) >= 0
}
