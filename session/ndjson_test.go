package session

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
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
		// The same line with the names written from a Names, after a line of
		// other names and after one of the same.
		var n Names
		other := Event{Profile: profile + "x", Kind: kind}
		other.AppendJSONNames(nil, &n)
		for round := 0; round < 2; round++ {
			if named := e.AppendJSONNames(nil, &n); !bytes.Equal(named, fast) {
				t.Fatalf("with names (round %d) %s\nwithout %s", round, named, fast)
			}
		}
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

// FuzzAppendStringMatchesEncoder holds the string escaper to encoding/json byte
// for byte (without its HTML escaping): U+2028, U+2029 and invalid UTF-8
// included.
func FuzzAppendStringMatchesEncoder(f *testing.F) {
	for _, s := range []string{"", "plain", "@alice: おはよう — \"#demo\" \n\t\x01 \u2028\u2029 \xe2\x80", "bad \xff\xe2 end\xe2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		if got := appendString(nil, s); string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("appendString(%q) = %s, encoding/json %s", s, got, want.Bytes())
		}
	})
}

// appendTime writes what AppendFormat(RFC3339Nano) writes, whatever the
// location, the fraction or the year, also when times of several seconds and
// locations alternate.
func TestAppendTimeMatchesFormat(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	base := time.Date(2026, 3, 8, 6, 59, 59, 0, time.UTC) // New York's clocks go forward at 07:00 UTC
	var times []time.Time
	for _, loc := range []*time.Location{time.UTC, time.Local, ny, time.FixedZone("", 5*3600+1800), time.FixedZone("odd", -37)} {
		for _, ns := range []int{0, 1, 10, 123456789, 999999999, 500000000, 120} {
			times = append(times, base.Add(time.Duration(ns)).In(loc), base.Add(time.Second+time.Duration(ns)).In(loc))
		}
	}
	times = append(times, time.Time{}, time.Date(10000, 1, 1, 0, 0, 0, 5, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(99, 1, 1, 0, 0, 0, 0, time.UTC))
	for round := 0; round < 2; round++ {
		for i, tm := range times {
			if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
				t.Fatalf("time %d (%v): got %s want %s", i, tm, got, want)
			}
		}
	}
}

// noteEvents are firehose events as the Misskey dialect makes them: summaries with
// a few non-ASCII characters, a key, a label and a ~1 KB frame.
func noteEvents() []Event {
	summaries := []string{
		"@alice: Reading about #websocket close codes — Benchmarks look good: 2x faster #go Sunset from the roof 🌇 #p…",
		"@bob: おはようございます #demo — Anyone else seeing slow federation today? #misskey #admin Trying the new hashtag t…",
		"@kana: Just shipped a new #fyne build 🎉 #go — おはようございます #demo Anyone else seeing slow federation today? #mi…",
		"@gopher@go.social: Reading about #websocket close codes — Anyone else seeing slow federation today? #misskey #admin hel…",
	}
	raw := []byte(`{"body":{"body":{"createdAt":"2026-12-01T14:16:01.947Z","cw":null,"fileIds":[],"files":[],"id":"au8cgf4r1y","text":"` +
		strings.Repeat("Reading about #websocket close codes ", 24) + `"},"id":"1","type":"note"},"type":"channel"}`)
	t := time.Date(2026, 12, 1, 14, 16, 1, 950035995, time.UTC)
	evs := make([]Event, len(summaries))
	for i, s := range summaries {
		label := s[:strings.IndexByte(s, ':')]
		evs[i] = Event{Time: t.Add(time.Duration(i) * time.Microsecond), Profile: "misskey", Dialect: "misskey", Dir: DirIn, Sub: "1",
			Kind: "note", Summary: s, Key: "au8cgf4r1y", Label: label, Raw: raw}
	}
	return evs
}

// BenchmarkAppendJSONNote is tail's NDJSON line of a firehose note, as tail
// writes it (with a Names).
func BenchmarkAppendJSONNote(b *testing.B) {
	evs := noteEvents()
	buf := make([]byte, 0, 4096)
	var n Names
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = evs[i%len(evs)].AppendJSONNames(buf[:0], &n)
	}
}
