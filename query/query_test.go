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
