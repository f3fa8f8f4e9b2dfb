package hypothesis

import (
	"testing"

	"github.com/feedscope/feedscope/session/internal/serve"
)

// FuzzServerHandle feeds the demo server's message handler arbitrary client frames:
// it must answer or ignore, never panic.
func FuzzServerHandle(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"type":"ping"}`, `{"id":2,"type":"whoami"}`, `{"id":9,"type":"subscribe"}`,
		`{"id":3,"type":"filter","filter":{"match_policy":"include_any","clauses":[{"field":"/uri","value":["https://example.com/post"]}],"actions":{"create":true}}}`,
		`{"messageType":"client_id","value":"0123"}`, `{"filter":{"match_policy":"include_any","clauses":[],"actions":{}}}`,
		`[]`, `1`, `h`, `{"id":1.5,"type":"ping"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k := &sock{conn: serve.NewConn(nil, serve.Options{})}
		k.handle(b)
		k.filter.Matches(&Annotation{ID: "a", URI: "https://example.com/post", Group: "__world__"})
	})
}

// Echo suppression: a socket does not get the events of writes that carried its own
// client id; one that never sent a client id still gets writes that carried one.
func TestEchoSuppression(t *testing.T) {
	f, err := ParseFilter([]byte(`{"match_policy":"include_any","clauses":[{"field":"/group","value":"__world__"}],"actions":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	mine := "0123456789abcdef0123456789abcdef"
	withID := &sock{conn: serve.NewConn(nil, serve.Options{}), filter: f, clientID: &mine}
	withoutID := &sock{conn: serve.NewConn(nil, serve.Options{}), filter: f}
	s := &Server{}
	s.conns.Add(withID)
	s.conns.Add(withoutID)
	ann := map[string]any{"id": "a1", "group": "__world__", "uri": "https://example.com/post"}
	s.publish("create", ann, mine)
	if withID.conn.Queued() != 0 || withoutID.conn.Queued() != 1 {
		t.Fatalf("own write: %d and %d frames, want 0 and 1", withID.conn.Queued(), withoutID.conn.Queued())
	}
	s.publish("create", ann, "someone-else")
	if withID.conn.Queued() != 1 || withoutID.conn.Queued() != 2 {
		t.Fatalf("other write: %d and %d frames, want 1 and 2", withID.conn.Queued(), withoutID.conn.Queued())
	}
}
