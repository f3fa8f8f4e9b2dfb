package gotham_test

import (
	"encoding/json"
	"testing"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// Every frame of testdata/real/gotham (the Gotham docs pages and gotham-platform-python models, each
// citing its source) decodes into an event of the right kind with a readable
// summary; the official client's frames pass CheckMessage.
func TestCorpusDecodes(t *testing.T) {
	p := session.Profile{Name: "corpus", Dialect: "gotham", URL: "ws://x/api/ws/gotham/v1/observations/baz?preview=true",
		Subs: []json.RawMessage{st.JSON(`{}`)}}
	st.CheckCorpus(t, p, map[string]st.Row{
		"client-subscribe-all":           {Kind: "client"},
		"client-subscribe-location":      {Kind: "client"},
		"client-subscribe-time-property": {Kind: "client"},
		"client-unsubscribe":             {Kind: "client"},
		"data-batch":                     {Kind: "data", Summary: "a1b2c3 · 5000 ft @ 38.8512, -77.0402", N: 2},
		"data":                           {Kind: "data", Summary: "MV Potomac Star (367000123) · 12.5 kn · 271° @ 38.9034, -77.0598"},
		"subscribed-error-several":       {Kind: "subscribed", Summary: "refused: InvalidObservationQuery: time.start: not an ISO-8601 timestamp: time.end: before start; PropertyNotInSpec: property: tailNumber"},
		"subscribed-error":               {Kind: "subscribed", Summary: "refused: InvalidObservationQuery: location: polygon must be closed"},
		"subscribed":                     {Kind: "subscribed", Summary: "subscribed as 3255ebeb-a897-437c-ae7b-99c5d64d17cf"},
	})
}

// The demo server's frames have the real service's field names and types.
func TestDemoMatchesCorpusShapes(t *testing.T) {
	srv := st.StartDemo(t, 20)
	r := dialVessels(t, srv)
	r.Send(`{"type":"subscribe","query":{}}`)
	r.Send(`{"type":"subscribe","query":{"location":[{"longitude":1,"latitude":1}]}}`)
	kind := func(m map[string]any) string {
		if m["type"] == "subscribed" {
			if errs, _ := m["errors"].([]any); len(errs) > 0 {
				return "subscribed-error"
			}
		}
		return m["type"].(string)
	}
	st.CheckShapes(t, r, "gotham", kind, map[string][]string{
		"subscribed":       {"subscribed"},
		"subscribed-error": {"subscribed-error", "subscribed-error-several"},
		"data":             {"data", "data-batch"},
	})
}
