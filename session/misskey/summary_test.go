package misskey

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/jsonscan"
)

// The hot path's summary, read from the scanner's values, says exactly what
// SummarizeNote says of the decoded note.
func TestNoteSummaryAgreesWithSummarizeNote(t *testing.T) {
	str := func(s string) *string { return &s }
	long := strings.Repeat("日本語 and ascii ", 20)
	notes := []Note{
		{User: UserLite{Username: "alice"}, Text: str("hello #demo")},
		{User: UserLite{Username: "bob", Host: str("remote.example")}, Text: str("line one\nline\ttwo  \r\n three")},
		{User: UserLite{Username: "kana"}, Text: str(long)},
		{User: UserLite{Username: "kana"}, CW: str(long), Text: str("hidden")},
		{User: UserLite{Username: "q\"uote"}, Text: str(`a "quoted" \ backslash é`)},
		{User: UserLite{Username: "r"}, RenoteID: str("9abc")},
		{User: UserLite{Username: "n"}},
		{User: UserLite{Username: "e"}, Text: str("")},
	}
	for i, n := range notes {
		frame, _ := json.Marshal(map[string]any{"type": "channel", "body": map[string]any{"id": "1", "type": "note", "body": n}})
		var v [nPaths]jsonscan.Value
		if err := paths.Scan(frame, v[:]); err != nil {
			t.Fatal(err)
		}
		got, label := noteSummary(&v)
		if want := SummarizeNote(&n); got != want {
			t.Errorf("note %d:\n got  %q\n want %q", i, got, want)
		}
		wantLabel := "@" + n.User.Username
		if n.User.Host != nil {
			wantLabel += "@" + *n.User.Host
		}
		if got[:label] != wantLabel {
			t.Errorf("note %d: label %q, want %q", i, got[:label], wantLabel)
		}
	}
	// Invalid UTF-8 in a frame reads as U+FFFD, as encoding/json reads it.
	frame := []byte("{\"type\":\"channel\",\"body\":{\"id\":\"1\",\"type\":\"note\",\"body\":{\"user\":{\"username\":\"x\"},\"text\":\"a\xffb\"}}}")
	var v [nPaths]jsonscan.Value
	if err := paths.Scan(frame, v[:]); err != nil {
		t.Fatal(err)
	}
	if got, _ := noteSummary(&v); got != "@x: a\ufffdb" {
		t.Errorf("got %q", got)
	}
}

// BenchmarkDecodeNote is the decoder's share of the firehose: what Decode does
// with a note frame (scan, kinds, summary, label and key) but the session's
// bookkeeping (the subscription's counters, publishing).
func BenchmarkDecodeNote(b *testing.B) {
	frames := FirehoseFrames("1", 64)
	size := 0
	for _, f := range frames {
		size += len(f)
	}
	b.SetBytes(int64(size / len(frames)))
	b.ReportAllocs()
	c := newClient(DefaultSilence, false)
	for i := 0; i < b.N; i++ {
		frame := frames[i%len(frames)]
		if err := paths.Scan(frame, c.v[:]); err != nil {
			b.Fatal(err)
		}
		ev := session.Event{Kind: name(c.v[pType]), Raw: frame}
		ev.Sub, ev.Kind = name(c.v[pID]), name(c.v[pBodyType])
		if !isNoteKind(ev.Kind) {
			b.Fatalf("kind %q", ev.Kind)
		}
		c.note(&ev)
	}
}

// FuzzNoteSummary holds the hot path's summary to SummarizeNote of the note as
// encoding/json decodes it, for any text, content warning, user name, host or
// renote id as it stands in a frame (escapes, invalid UTF-8, control bytes, cuts
// at every length), and a summary said to be plain to the escaping writer.
func FuzzNoteSummary(f *testing.F) {
	for _, s := range []string{
		"hello #demo", `line one\nline\ttwo  \r\n three`, strings.Repeat("日本語 and ascii ", 20), "a\xffb",
		strings.Repeat("x", 99) + "é", strings.Repeat("é", 101), strings.Repeat("🎉", 120), "\xed\xa0\x80", "\xe0\x80\xaf",
		"\xf4\x90\x80\x80", `\u00e9\ud83d\ude00`, strings.Repeat("abcdefg", 15) + "\xc3",
		"a\u2028b", "\xe2\x80\xa8", "x\xe2\x80\xa9y", `quote \" and \u2029`, "<&>",
	} {
		for where := range uint8(5) {
			f.Add([]byte(s), where)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, where uint8) {
		user, host, note := `"u"`, `null`, `"text":"hi"`
		switch q := `"` + string(body) + `"`; where % 5 {
		case 0:
			note = `"text":` + q
		case 1:
			note = `"cw":` + q
		case 2:
			user = q
		case 3:
			host = q
		case 4:
			note = `"renoteId":` + q
		}
		frame := []byte(`{"type":"channel","body":{"id":"1","type":"note","body":{"id":"n1","user":{"username":` + user + `,"host":` + host + `},` + note + `}}}`)
		var env struct {
			Body struct {
				Body Note `json:"body"`
			} `json:"body"`
		}
		if json.Unmarshal(frame, &env) != nil {
			return // not a JSON string: Decode reports the frame
		}
		var v [nPaths]jsonscan.Value
		if err := paths.Scan(frame, v[:]); err != nil {
			t.Fatalf("scan refused what encoding/json accepts: %v", err)
		}
		b, _, plain := appendNoteSummary(nil, &v)
		if got, want := string(b), SummarizeNote(&env.Body.Body); got != want {
			t.Fatalf("frame %q:\n got  %q\n want %q", frame, got, want)
		}
		// A summary said to be plain is written as the escaping writer writes it.
		escaped := session.Event{Summary: string(b)}
		if copied := (session.Event{Summary: string(b), SummaryPlain: plain}); string(copied.AppendJSON(nil)) != string(escaped.AppendJSON(nil)) {
			t.Fatalf("frame %q: summary %q is not plain", frame, b)
		}
	})
}
