package isymphony_test

import (
	"encoding/json"
	"testing"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// Every frame of testdata/real/isymphony (the iSymphony wiki's documented examples, each
// citing its source) decodes into an event of the right kind with a readable
// summary; the official client's frames pass CheckMessage.
func TestCorpusDecodes(t *testing.T) {
	p := session.Profile{Name: "corpus", Dialect: "isymphony", URL: "ws://x/communication_manager/ws/event",
		Subs: []json.RawMessage{st.JSON(`[]`)}}
	st.CheckCorpus(t, p, map[string]st.Row{
		"client-filter-wildcard": {Kind: "client"},
		"client-filter":          {Kind: "client"},
		"confRoomCallLeave":      {Kind: "confRoomCallLeave", Summary: "Colin (Desk) (4228) left conference Bob"},
		"linkEnd-unbound":        {Kind: "linkEnd", Summary: "Outside Caller (15551234567) hung up with Michael Y (desk) (4224)"},
		"linkEnd":                {Kind: "linkEnd", Summary: "Michael Y (alt) (42243) hung up with Michael Y (desk) (4224)"},
		"userLogin":              {Kind: "userLogin", Summary: "mike logged in from 127.0.0.1"},
		"userLogout":             {Kind: "userLogout", Summary: "mike logged out"},
	})
}

// The demo server's events have the documented field names and types.
func TestDemoMatchesCorpusShapes(t *testing.T) {
	srv := st.StartDemo(t, 20) // the ping deadline shrinks with speed: keep it loose on a loaded machine
	r := st.Dial(t, srv.URL("isymphony"), basic("manager", "manag3rpa55word"))
	kind := func(m map[string]any) string { return m["type"].(string) }
	st.CheckShapes(t, r, "isymphony", kind, map[string][]string{
		"userLogin":         {"userLogin"},
		"userLogout":        {"userLogout"},
		"linkEnd":           {"linkEnd", "linkEnd-unbound"},
		"confRoomCallLeave": {"confRoomCallLeave"},
	})
}
