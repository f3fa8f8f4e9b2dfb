package jsonscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

var notePaths = Paths{{"type"}, {"body", "id"}, {"body", "body", "user", "username"}, {"body", "body", "text"}, {"body", "body", "cw"}, {"body", "body", "tags"}}

func TestScan(t *testing.T) {
	doc := []byte(`{"type":"channel","body":{"id":"1","type":"note","body":{"id":"9zx","user":{"username":"alice","host":null},
		"text":"hello \"quoted\" #demo \u00e9","cw":null,"tags":["demo"],"reactions":{"👍":1},"n":-1.5e3}}}`)
	out := make([]Value, len(notePaths))
	if err := Scan(doc, notePaths, out); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s|%s|%s|%s|%v|%s", out[0].String(), out[1].String(), out[2].String(), out[3].String(), out[4].IsNull(), out[5].Raw)
	want := `channel|1|alice|hello "quoted" #demo é|true|["demo"]`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestScanRejects(t *testing.T) {
	for _, bad := range []string{``, `h`, `{"a":}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `"\x01"`, `{"a":1} x`, `01`, `1.`, `-`, `tru`, `"\q"`, `"\u12g4"`, `{"a":[1,2}`} {
		if err := Scan([]byte(bad), nil, nil); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// A frame of nested brackets (the read limit allows 16 MB of them) is refused
// past encoding/json's depth, without a stack that grows with the document.
func TestScanDeepNesting(t *testing.T) {
	deep := bytes.Repeat([]byte("["), 1<<20)
	if err := Scan(deep, notePaths, make([]Value, len(notePaths))); err == nil || !strings.Contains(err.Error(), "nested too deep") {
		t.Fatalf("err %v", err)
	}
	ok := append(bytes.Repeat([]byte("["), maxDepth), bytes.Repeat([]byte("]"), maxDepth)...)
	if err := Scan(ok, nil, nil); (err == nil) != json.Valid(ok) {
		t.Fatalf("depth %d: err %v, json.Valid %v", maxDepth, err, json.Valid(ok))
	}
	over := append(bytes.Repeat([]byte("["), maxDepth+1), bytes.Repeat([]byte("]"), maxDepth+1)...)
	if err := Scan(over, nil, nil); (err == nil) != json.Valid(over) {
		t.Fatalf("depth %d: err %v, json.Valid %v", maxDepth+1, err, json.Valid(over))
	}
}

// A key written with escapes names the same field as encoding/json reads it.
func TestScanEscapedKey(t *testing.T) {
	out := make([]Value, len(notePaths))
	if err := Scan([]byte(`{"\u0074ype":"x","body":{"i\u0064":"7"}}`), notePaths, out); err != nil {
		t.Fatal(err)
	}
	if out[0].String() != "x" || out[1].String() != "7" {
		t.Fatalf("got %q %q", out[0].Raw, out[1].Raw)
	}
}

func TestValueFloat(t *testing.T) {
	if f, ok := (Value{Raw: []byte("0.123")}).Float(); !ok || f != 0.123 {
		t.Fatal(f, ok)
	}
	if _, ok := (Value{Raw: []byte(`"x"`)}).Float(); ok {
		t.Fatal("a string is no number")
	}
}

// FuzzAgreesWithEncodingJSON holds Scan to encoding/json: the same documents are
// valid, and every extracted value (scalars, objects, arrays, nested or not) is
// what encoding/json finds at its path.
func FuzzAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"channel","body":{"id":"1","type":"note","body":{"text":"hi","user":{"username":"a"}}}}`,
		`{"type":"noteUpdated","body":{"id":"9","type":"reacted","body":{"reaction":":like@.:"}}}`,
		`[{"type":1}]`, `{"type":"a","type":"b"}`, `{"\u0074ype":"x"}`, `"\ud83d\ude00"`, `{"body":{"id":null}}`, `1e5`, `{}`,
		`{"body":{"body":{"tags":["a",{"b":[1,2]}],"user":{"host":"h","username":"u\n"}},"type":{"x":1}}}`,
		"{\"type\" : \"spaced\" ,\n \"body\" : { \"id\" : [ 1 , 2 ] } }",
		// The fast paths' edges: empty containers read in place, one-digit numbers,
		// strings and escapes straddling 8-byte words, control bytes and invalid UTF-8
		// at word ends, numbers too large for a float64, deep nesting.
		`{"body":{"body":{"tags":[],"files":{},"n":7,"m":0,"x":[ ],"y":{ }}}}`, `{"a":[]}`, `{"a":{}}`, `{"a":[}`, `{"a":{]}`,
		`{"a":1,"b":0,"c":9.5,"d":5e3,"e":0.0,"f":-1,"g":01}`, `{"a":1.}`, `{"a":1e}`, `{"a":1E+2}`,
		`{"type":"1234567","body":{"id":"12345678"}}`, `{"type":"123456789abcdef\"","body":{"id":"1234567\\"}}`,
		"{\"type\":\"1234567\x01\"}", "{\"type\":\"12345678\xff\xfe\"}", "{\"type\":\"\xe3\x81\x8a\xe3\x81\"}",
		`{"type":123456789012345678901234567890e400}`, `{"abcdefgh":1,"type":2}`, `{"body":{"body":{"text":"x"},"id":"`,
		strings.Repeat(`{"body":`, 40) + `1` + strings.Repeat(`}`, 40),
		// A member skipped after one recorded in place, then one left to walk.
		`{"type":"a","x":{"y":1},"body":{"id":"1","z":[1],"type":"t","w":0.5}}`, `{"type":"a","x":"\n","body":{"id":2,"q":1.5}}`,
	} {
		f.Add([]byte(s))
	}
	for i := 0; i < 16; i++ { // a quote, an escape or a control byte at every place of a word
		pad := strings.Repeat("x", i)
		for _, tail := range []string{`"`, `\"x"`, `\u00e9"`, "\x1f\"", "\xc3\"", "\xc3\xa9\""} {
			f.Add([]byte(`{"type":"` + pad + tail + `,"body":{"id":"` + pad + tail + `}`))
		}
	}
	paths := Paths{{"type"}, {"body", "id"}, {"body", "body", "text"}, {"body"}, {"body", "body", "tags"},
		{"body", "body", "user", "username"}, {"body", "body", "user", "host"}, {"body", "type"}, {"body", "body"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := make([]Value, len(paths))
		err := Scan(b, paths, out)
		if (err == nil) != json.Valid(b) {
			t.Fatalf("Scan err=%v but json.Valid=%v for %q", err, json.Valid(b), b)
		}
		if err != nil {
			return
		}
		doc, err := decode(b)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range paths {
			want, found := lookup(doc, p)
			if found != out[i].Found() {
				t.Fatalf("%v: found %v, encoding/json %v, in %q", p, out[i].Found(), found, b)
			}
			if !found {
				continue
			}
			if got, err := decode(out[i].Raw); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%v: got %q (%v), encoding/json %#v, in %q", p, out[i].Raw, err, want, b)
			}
			if s, ok := want.(string); ok && out[i].String() != s {
				t.Fatalf("%v: String %q, encoding/json %q", p, out[i].String(), s)
			}
		}
	})
}

// decode is json.Unmarshal with numbers kept as written: a valid number may be
// too large for a float64.
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// lookup follows path through objects, as encoding/json decoded them; the last
// of repeated keys wins there too.
func lookup(doc any, path []string) (any, bool) {
	v := doc
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// noteDoc is a Misskey note frame of the demo's firehose.
var noteDoc = []byte(`{"type":"channel","body":{"id":"1","type":"note","body":{"id":"9zx8c7v6b5","createdAt":"2025-03-01T10:00:00.000Z","userId":"9abc000001","user":{"id":"9abc000001","name":"Alice","username":"alice","host":null,"avatarUrl":"https://misskey.local/identicon/alice","avatarBlurhash":null,"avatarDecorations":[],"emojis":{},"onlineStatus":"online"},"text":"hello #demo","cw":null,"visibility":"public","localOnly":false,"reactionAcceptance":null,"renoteCount":0,"repliesCount":0,"reactionCount":1,"reactions":{"👍":1},"reactionEmojis":{},"fileIds":[],"files":[],"tags":["demo"],"replyId":null,"renoteId":null}}}`)

// The scanner against what it does without paths (validation alone) and against
// encoding/json's Valid on the same frame: compare them with benchstat.
func BenchmarkScanNote(b *testing.B) {
	set := Compile(notePaths)
	out := make([]Value, set.Len())
	b.SetBytes(int64(len(noteDoc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = set.Scan(noteDoc, out)
	}
}

func BenchmarkSkipNote(b *testing.B) {
	b.SetBytes(int64(len(noteDoc)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = skipValue(noteDoc, 0, 0)
	}
}

func BenchmarkValidNote(b *testing.B) {
	b.SetBytes(int64(len(noteDoc)))
	for i := 0; i < b.N; i++ {
		_ = json.Valid(noteDoc)
	}
}
