package query

import (
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

func ev(profile, dir, kind, summary string) session.Event {
	return session.Event{Time: time.Unix(0, 0), Profile: profile, Dialect: "misskey", Dir: dir, Kind: kind, Summary: summary, Sub: "1"}
}

func TestParse(t *testing.T) {
	note := ev("demo-misskey", "in", "note", "@alice: hello #demo")
	stats := ev("demo-misskey", "in", "stats", "cpu 12 %")
	out := ev("prod-gotham", "out", "subscribe", `{"type":"subscribe"}`)
	cases := []struct {
		q    string
		want []bool // note, stats, out
	}{
		{"", []bool{true, true, true}},
		{"kind:note", []bool{true, false, false}},
		{"profile:demo", []bool{true, true, false}},
		{"dir:out", []bool{false, false, true}},
		{"hello", []bool{true, false, false}},
		{"HELLO", []bool{true, false, false}},
		{"-kind:stats", []bool{true, false, true}},
		{"/cpu \\d+/", []bool{false, true, false}},
		{"/^@al/ profile:demo", []bool{true, false, false}},
		{`"hello #demo"`, []bool{true, false, false}},
		{"unknownfield:x", []bool{false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			q, err := Parse(c.q)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range []session.Event{note, stats, out} {
				if got := q.Match(&e); got != c.want[i] {
					t.Errorf("event %d: %v, want %v", i, got, c.want[i])
				}
			}
		})
	}
	if _, err := Parse("/([/"); err == nil || !strings.Contains(err.Error(), "filter /([/") {
		t.Errorf("bad regex: %v", err)
	}
}

// Free text finds what only the raw frame holds: an id copied from an event's own
// JSON, or a group every annotation carries.
func TestFreeTextSearchesTheRawFrame(t *testing.T) {
	e := ev("demo-hypothesis", "in", "annotation-notification", "created 1 annotation")
	e.Raw = []byte(`{"type":"annotation-notification","payload":[{"id":"Qx7Z-aB9","group":"__world__","text":"Ünïcode Straße"}]}`)
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"qx7z-ab9", true}, {"QX7Z-AB9", true}, {"__world__", true},
		{"straße", true}, {"STRASSE", false}, {"ünïcode", true}, {"__private__", false},
		{"-__world__", false}, {"/Qx7Z/", true},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Match(&e); got != c.want {
			t.Errorf("%q: %v, want %v", c.q, got, c.want)
		}
	}
	for _, c := range []struct {
		b, sub string
		want   bool
	}{{"", "a", false}, {"a", "", true}, {"xxA", "a", true}, {"Ab", "ab", true}, {"aB", "abc", false}, {"zzzAbC", "abc", true}, {"a-b", "-b", true}} {
		if got := containsFoldBytes([]byte(c.b), c.sub); got != c.want {
			t.Errorf("containsFoldBytes(%q, %q) = %v", c.b, c.sub, got)
		}
	}
}

// BenchmarkFilterRaw is the table's filter over 100 000 events whose raw frames
// hold the text only sometimes: free text, then a regex.
func BenchmarkFilterRaw(b *testing.B) {
	events := make([]session.Event, 100_000)
	for i := range events {
		e := ev("demo-hypothesis", "in", "annotation-notification", "created 1 annotation on https://example.com/page")
		group := "__world__"
		if i%10 != 0 {
			group = "g" + strings.Repeat("x", i%7)
		}
		e.Raw = []byte(`{"type":"annotation-notification","options":{"action":"create"},"payload":[{"id":"id` + strings.Repeat("a", i%13) +
			`","created":"2026-01-01T00:00:00Z","user":"acct:demo@localhost","uri":"https://example.com/page","text":"A note about the page, long enough to be typical of an annotation.","tags":["demo"],"group":"` + group + `","permissions":{"read":["group:` + group + `"]}}]}`)
		events[i] = e
	}
	for _, f := range []string{"__world__", "/__WORLD__/"} {
		q, err := Parse(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.Trim(f, "/_"), func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = 0
				for i := range events {
					if q.Match(&events[i]) {
						n++
					}
				}
			}
			if n != 10_000 {
				b.Fatalf("%d matches, want 10 000", n)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/100k")
		})
	}
}

func TestReadsText(t *testing.T) {
	for text, want := range map[string]bool{"": false, "kind:note -dir:out": false, "profile:a sunset": true, "/x+/": true, "-alice": true} {
		q, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if q.ReadsText() != want {
			t.Errorf("%q reads text: %v, want %v", text, !want, want)
		}
	}
}
