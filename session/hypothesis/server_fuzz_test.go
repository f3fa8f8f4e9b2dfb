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
