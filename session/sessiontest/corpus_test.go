package sessiontest

import (
	"strings"
	"testing"
)

// ShapeDiff catches the drifts the demo shape checks exist for.
func TestShapeDiff(t *testing.T) {
	real := [][]byte{[]byte(`{"type":"channel","body":{"id":"1","type":"note","body":{"text":"a","cw":null,"reactions":{},"files":[]}}}`)}
	cases := []struct{ demo, want string }{
		{`{"type":"channel","body":{"id":"1","type":"note","body":{"text":"b","cw":"x","reactions":{"👍":1},"files":[{"id":"f"}]}}}`, ""},
		{`{"type":"channel","body":{"id":"1","type":"note","body":{"txt":"b"}}}`, ".body.body.txt: the real service never sends this field"},
		{`{"type":"channel","body":{"id":1,"type":"note","body":{}}}`, ".body.id: demo sends number, the real service string"},
		{`{"type":"channel","body":{"type":"note","body":{}}}`, ".body.id: the real service always sends this field, the demo does not"},
	}
	for _, c := range cases {
		got := strings.Join(ShapeDiff([]byte(c.demo), real, 2), "; ")
		if got != c.want {
			t.Errorf("ShapeDiff(%s)\n got %q\nwant %q", c.demo, got, c.want)
		}
	}
}
