package session

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzAppendJSONMatchesMarshal holds the fast encoder to encoding/json: the same
// document for any strings and any JSON raw.
func FuzzAppendJSONMatchesMarshal(f *testing.F) {
	f.Add("demo-misskey", "note", "@alice: hello \"#demo\" \n\t<é> \u2028", []byte(`{"type":"channel","body":{"x": [1, 2]}}`), true)
	f.Add("p", "error", "bad \x01 \xff", []byte("\"not json at all\""), false)
	f.Fuzz(func(t *testing.T, profile, kind, summary string, raw []byte, geo bool) {
		if !json.Valid(raw) {
			return // the engine only makes JSON raws
		}
		e := Event{Time: time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC), Profile: profile, Dialect: "misskey",
			Dir: DirIn, Sub: "1", Kind: kind, Summary: summary, Raw: raw}
		if geo {
			e.Geo = &Point{Lon: -77.0597, Lat: 38.9033}
		}
		fast := e.AppendJSON(nil)
		slow, err := json.Marshal(e)
		if err != nil {
			t.Skip()
		}
		var a, b any
		if err := json.Unmarshal(fast, &a); err != nil {
			t.Fatalf("fast output is not JSON: %v\n%s", err, fast)
		}
		_ = json.Unmarshal(slow, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("fast %s\nslow %s", fast, slow)
		}
		for _, c := range fast {
			if c == '\n' {
				t.Fatalf("newline inside one NDJSON line: %q", fast)
			}
		}
	})
}
