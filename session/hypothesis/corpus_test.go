package hypothesis_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// Every frame of testdata/real/hypothesis (h/streamer and hypothesis/client shapes, each
// citing its source) decodes into an event of the right kind with a readable
// summary; the official client's frames pass CheckMessage.
func TestCorpusDecodes(t *testing.T) {
	p := session.Profile{Name: "corpus", Dialect: "hypothesis", URL: "ws://x/ws",
		Subs: []json.RawMessage{st.JSON(`{"match_policy":"include_any","clauses":[{"field":"/group","operator":"equals","value":"__world__"}],"actions":{"create":true,"update":true,"delete":true}}`)}}
	st.CheckCorpus(t, p, map[string]st.Row{
		"annotation-create-reply":    {Kind: "annotation-notification:create", Summary: "bob@hypothes.is on https://example.com/articles/websockets: Agreed, and 1006 is never sent on the wire."},
		"annotation-create":          {Kind: "annotation-notification:create", Summary: "alice@hypothes.is on https://example.com/articles/websockets: Nice point about close codes. See RFC 6455 §7.4."},
		"annotation-delete":          {Kind: "annotation-notification:delete", Summary: "deleted Qk7n3X1aEe-abcDEF12345"},
		"annotation-update":          {Kind: "annotation-notification:update", Summary: "alice@hypothes.is on https://example.com/articles/websockets: Nice point about close codes (edited)."},
		"client-client_id-legacy":    {Kind: "client"},
		"client-client_id":           {Kind: "client"},
		"client-filter-legacy":       {Kind: "client"},
		"client-filter":              {Kind: "client"},
		"client-ping":                {Kind: "client"},
		"client-whoami":              {Kind: "client"},
		"error-filter-missing":       {Kind: "error", Summary: "invalid_data: \"filter\" is missing"},
		"error-filter-parse":         {Kind: "error", Summary: "invalid_data: failed to parse filter"},
		"error-invalid-type":         {Kind: "error", Summary: "invalid_type: invalid message type: \"subscribe\""},
		"error-missing-type":         {Kind: "error", Summary: "invalid_type: invalid message type: null"},
		"error-value-missing":        {Kind: "error", Summary: "invalid_data: \"value\" is missing"},
		"pong":                       {Kind: "pong", Summary: "pong"},
		"session-change-group-join":  {Kind: "session-change:group-join", Summary: "alice@hypothes.is joined a group; now in 2: Public, Reading club"},
		"session-change-group-leave": {Kind: "session-change:group-leave", Summary: "alice@hypothes.is left a group; now in 1: Public"},
		"whoyouare-anonymous":        {Kind: "whoyouare", Summary: "anonymous"},
		"whoyouare":                  {Kind: "whoyouare", Summary: "acct:alice@hypothes.is"},
	})
}

// The demo server's frames have the real service's field names and types.
func TestDemoMatchesCorpusShapes(t *testing.T) {
	srv := st.StartDemo(t, 20) // the ping deadline shrinks with speed: keep it loose on a loaded machine
	r := st.Dial(t, srv.URL("hypothesis"), http.Header{"Authorization": {"Bearer demo-token"}})
	r.Send(`{"id":1,"type":"client_id","value":"6f1c2a9e0b7d4c3f8a5e9d2b1c0f7a6e"}`)
	r.Send(`{"id":2,"type":"filter","filter":{"match_policy":"include_any","clauses":[{"field":"/group","operator":"equals","value":"__world__"}],"actions":{"create":true,"update":true,"delete":true}}}`)
	r.Send(`{"id":3,"type":"ping"}`)
	r.Send(`{"id":4,"type":"whoami"}`)
	r.Send(`{"id":5,"type":"subscribe"}`)
	r.Send(`{"id":6,"type":"client_id"}`)
	kind := func(m map[string]any) string {
		switch m["type"] {
		case "annotation-notification":
			return "annotation:" + m["options"].(map[string]any)["action"].(string)
		case "error":
			return "error"
		}
		return m["type"].(string)
	}
	st.CheckShapes(t, r, "hypothesis", kind, map[string][]string{
		"annotation:create": {"annotation-create", "annotation-create-reply"},
		"annotation:update": {"annotation-update"},
		"annotation:delete": {"annotation-delete"},
		"pong":              {"pong"},
		"whoyouare":         {"whoyouare", "whoyouare-anonymous"},
		"error":             {"error-invalid-type", "error-value-missing"},
	})
}
