package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// tail on a plain WebSocket: the key as a header, the subprotocol, messages sent as
// they are (JSON and text), every shape of frame back, and no secret on stdout.
func TestTailPlainWebSocket(t *testing.T) {
	eps := startDemoServer(t, "--speed", "20")
	out, stderr, code := run(t, "tail", "--dialect", "websocket", "--url", eps["websocket"],
		"--header", "authorization: Bearer demo-websocket-key", "--subprotocol", "feedscope.demo.v1",
		"--send", `{"type":"subscribe","channel":"ticker"}`, "--send", "hello from tail",
		"--setting", "summary=#{/seq}", "--count", "40", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	kinds := map[string]int{}
	var echo, welcome, sub2 bool
	for _, l := range parseLines(t, out) {
		kinds[l.Kind]++
		switch {
		case l.Dir == "in" && l.Kind == "text" && l.Summary == "hello from tail":
			echo = *l.Sub == "2"
		case l.Kind == "welcome":
			welcome = strings.Contains(string(l.Raw), `"subprotocol":"feedscope.demo.v1"`)
		case l.Dir == "out" && *l.Sub == "2":
			sub2 = string(l.Raw) == `"hello from tail"`
		case l.Kind == "tick" && !strings.HasPrefix(l.Summary, "#"):
			t.Errorf("the summary setting did not apply: %q", l.Summary)
		}
	}
	if !echo || !welcome || !sub2 || kinds["tick"] == 0 || kinds["binary"] == 0 || kinds["error"] != 0 {
		t.Errorf("echo %v, welcome %v, sent %v, kinds %v", echo, welcome, sub2, kinds)
	}
	if bytes.Contains(out, []byte("demo-websocket-key")) || strings.Contains(stderr, "demo-websocket-key") {
		t.Error("the header's value reached the output")
	}
}

func TestTailDemoPlainWebSocket(t *testing.T) {
	out, stderr, code := run(t, "tail", "--demo", "--dialect", "websocket", "--count", "6", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var subscribed bool
	for _, l := range parseLines(t, out) {
		subscribed = subscribed || l.Kind == "subscribed"
	}
	if !subscribed {
		t.Errorf("the demo profile's subscription got no answer: %s", out)
	}
}

// --header applies to every dialect: iSymphony's Basic credentials as a header.
func TestTailHeaderForAnyDialect(t *testing.T) {
	eps := startDemoServer(t)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("manager:manag3rpa55word"))
	out, stderr, code := run(t, "tail", "--dialect", "isymphony", "--url", eps["isymphony"],
		"--header", "Authorization: "+basic, "--sub", "[]", "--count", "4", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ok bool
	for _, l := range parseLines(t, out) {
		ok = ok || l.Kind == "filterResponse"
	}
	if !ok || bytes.Contains(out, []byte(basic[6:])) {
		t.Errorf("want a filterResponse and no credential in %s", out)
	}
	// A dialect without text subscriptions sends --send once, checked as a frame.
	out, stderr, code = run(t, "tail", "--dialect", "isymphony", "--url", eps["isymphony"], "--header", "Authorization: "+basic,
		"--send", `{"type":"filter","filters":[]}`, "--count", "4", "--duration", "20s")
	var sent bool
	for _, l := range parseLines(t, out) {
		sent = sent || l.Dir == "out" && json.Valid(l.Raw) && strings.Contains(string(l.Raw), `"filter"`)
	}
	if code != 0 || !sent {
		t.Errorf("exit %d %s: %s", code, stderr, out)
	}
}

func TestTailHandshakeUsageErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"header without colon", []string{"--dialect", "websocket", "--url", "ws://127.0.0.1:1/", "--header", "X-Key"}, "want Name: value"},
		{"setting without =", []string{"--dialect", "websocket", "--url", "ws://127.0.0.1:1/", "--setting", "kind"}, "want key=value"},
		{"bad kind pointer", []string{"--dialect", "websocket", "--url", "ws://127.0.0.1:1/", "--setting", "kind=type"}, "must start with /"},
		{"empty message", []string{"--dialect", "websocket", "--url", "ws://127.0.0.1:1/", "--send", ""}, "an empty message"},
		{"bad frame", []string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/streaming", "--send", "{nope"}, "--send #1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"tail"}, c.args...)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}

// --format raw prints a plain WebSocket's frames as they came: text unquoted, JSON
// as it is.
func TestTailRawPlainWebSocket(t *testing.T) {
	out, stderr, code := run(t, "tail", "--demo", "--dialect", "websocket", "--format", "raw", "--send", "raw hello", "--count", "2", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ls := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(ls) != 2 || !strings.HasPrefix(ls[0], `{"`) || !strings.Contains(ls[0], `"type":"welcome"`) || ls[1] != "raw hello" {
		t.Errorf("raw lines %q", ls)
	}
}
