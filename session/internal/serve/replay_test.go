package serve

import "testing"

func TestReplaceValueKeepsEveryOtherByte(t *testing.T) {
	doc := []byte(`{"body": {"body":{"id":"note1","text":"a \"b\""} , "id" : "1","type":"note"},"type":"channel"}`)
	got, ok := ReplaceValue(doc, []string{"body", "id"}, []byte(`"mine-7"`))
	want := `{"body": {"body":{"id":"note1","text":"a \"b\""} , "id" : "mine-7","type":"note"},"type":"channel"}`
	if !ok || string(got) != want {
		t.Fatalf("got %s %v\nwant %s", got, ok, want)
	}
	if string(doc) != `{"body": {"body":{"id":"note1","text":"a \"b\""} , "id" : "1","type":"note"},"type":"channel"}` {
		t.Fatal("the original was changed")
	}
	for _, bad := range []string{`{"body":{}}`, `not json`, `{"body":[{"id":1}]}`} {
		if _, ok := ReplaceValue([]byte(bad), []string{"body", "id"}, []byte(`"x"`)); ok {
			t.Fatalf("%s: replaced a value that is not there", bad)
		}
	}
}
