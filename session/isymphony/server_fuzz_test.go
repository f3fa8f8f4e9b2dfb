package isymphony

import (
	"testing"

	"github.com/feedscope/feedscope/session/internal/serve"
)

// FuzzServerHandle feeds the demo server arbitrary client frames: a failed
// filterResponse or a new filter set, never a panic.
func FuzzServerHandle(f *testing.F) {
	for _, s := range []string{
		`{"type":"filter","filters":[{"property":"type","value":"userLogin"},{"property":"username","value":"mikey"}]}`,
		`{"type":"filter","filters":[{"property" : "type" : "value" : "dial"}]}`, `{"type":"filter","filters":[]}`,
		`{"type":"other"}`, `hello`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k := &sock{conn: serve.NewConn(nil, serve.Options{})}
		k.handle(b)
		Match(k.filters, map[string]any{"type": "userLogin", "username": "mikey", "port": 5.0})
	})
}
