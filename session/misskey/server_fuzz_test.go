package misskey

import (
	"testing"

	"github.com/feedscope/feedscope/session/internal/serve"
)

// FuzzServerHandle feeds the demo server arbitrary client frames: invalid ones are
// dropped silently, never a panic.
func FuzzServerHandle(f *testing.F) {
	for _, s := range []string{
		`{"type":"connect","body":{"channel":"localTimeline","id":"1","params":{"withRenotes":false},"pong":true}}`,
		`{"type":"connect","body":{"channel":"hashtag","id":"2","params":{"q":[["go","fyne"]]}}}`,
		`{"type":"connect","body":{"channel":"serverStats","id":"3","params":null}}`,
		`{"type":"ch","body":{"id":"3","type":"requestLog","body":{"id":"a1b2","length":50}}}`,
		`{"type":"s","body":{"id":"9zx8c7v6b5"}}`, `{"type":"un","body":{"id":"9zx8c7v6b5"}}`,
		`{"type":"disconnect","body":{"id":"1"}}`, `{"type":"readNotification"}`, `h`, `ping`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &Server{statsLog: []map[string]any{{"cpu": 0.1}}}
		k := &sock{conn: serve.NewConn(nil, serve.Options{}), login: true, chans: map[string]*chanConn{}, notes: map[string]int{}}
		s.handle(k, []byte(`{"type":"connect","body":{"channel":"serverStats","id":"3"}}`))
		s.handle(k, b)
		for _, c := range k.chans {
			noteMatches(c, map[string]any{"renoteId": nil, "replyId": nil, "fileIds": []string{}, "tags": []string{"go"}}, 3)
		}
	})
}
