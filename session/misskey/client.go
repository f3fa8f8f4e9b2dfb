package misskey

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/jsonscan"
)

func init() { session.Register(Dialect{}) }

// Dialect is the Misskey client.
type Dialect struct{}

// Name returns "misskey".
func (Dialect) Name() string { return Name }

// Dial sends the token the documented way, `/streaming?i={token}`
// (misskey-hub.net docs, for-developers/api/streaming), and as a Bearer header too:
// the header arrived only in later builds and forks (Firefish, Calckey…) read only
// `i`, where a header alone leaves the socket silently anonymous. Every URL we show
// is redacted and every message scrubbed of the token (session.redactURL, Scrub).
func (Dialect) Dial(p *session.Profile) (session.DialSpec, error) {
	h := http.Header{}
	u := p.URL
	if p.Token != "" {
		h.Set("Authorization", "Bearer "+p.Token)
		parsed, err := url.Parse(p.URL)
		if err != nil {
			return session.DialSpec{}, fmt.Errorf("misskey: URL: %w", err)
		}
		q := parsed.Query()
		q.Set("i", p.Token)
		parsed.RawQuery = q.Encode()
		u = parsed.String()
	}
	return session.DialSpec{URL: u, Header: h}, nil
}

// Policy mirrors misskey-js's reconnecting-websocket: 1 ms growing ×1.3 to 10 s,
// forever, a 4 s connect timeout, the counter reset after 5 s of uptime.
func (Dialect) Policy() session.Policy {
	return session.Policy{
		Delay:       session.Geometric(time.Millisecond, 1.3, 10*time.Second),
		ResetAfter:  5 * time.Second,
		DialTimeout: 4 * time.Second,
	}
}

// CheckSub validates a channel connection or note capture.
func (Dialect) CheckSub(spec json.RawMessage) error {
	_, err := ParseSub(spec)
	return err
}

// NewClient returns fresh per-session state.
func (Dialect) NewClient() session.Client { return newClient(DefaultSilence, false) }

// SettingSilence is the Profile.Settings key of how long a channel may stay silent
// before its row says why that is likely (a Go duration such as "5s").
const SettingSilence = "silenceAfter"

// DefaultSilence is that wait when the profile sets none.
const DefaultSilence = 5 * time.Second

// CheckSettings validates the silence wait.
func (Dialect) CheckSettings(s map[string]string) error {
	_, err := silenceAfter(s)
	return err
}

// NewClientFor returns per-session state that knows the profile's wait and whether
// it has a token.
func (Dialect) NewClientFor(p *session.Profile) session.Client {
	d, _ := silenceAfter(p.Settings)
	return newClient(d, p.Token != "")
}

func silenceAfter(s map[string]string) (time.Duration, error) {
	v := strings.TrimSpace(s[SettingSilence])
	if v == "" {
		return DefaultSilence, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("misskey: %s must be a positive duration such as 5s, not %q", SettingSilence, v)
	}
	return d, nil
}

func newClient(silence time.Duration, token bool) *Client {
	return &Client{silence: silence, token: token, connects: map[string]int{}}
}

// Client is one session's Misskey state. Our subscription ids double as connection
// ids, so a reconnect re-sends `connect` with the same ids, as misskey-js does.
//
// The server never refuses a connect: it ignores one it will not serve (the channel
// needs login or a token permission, is unknown, or 32 are open) and serverStats
// stays mute where machine stats are off (packages/backend/src/server/api/stream/
// Connection.ts, daemons/ServerStatsService.ts). We ask for `connected` (pong) and,
// when a channel stays silent, say on its row what that most likely means.
type Client struct {
	v        [nPaths]jsonscan.Value // Decode's scratch: the scanner's values would escape to the heap on every frame
	buf      []byte                 // Decode's scratch for a note's summary
	silence  time.Duration
	token    bool
	connects map[string]int // sub id → connects sent, so a timer knows it is current
}

// Open replays shared channels first, then the others, then note captures (which
// misskey-js leaves to the app).
func (c *Client) Open(w *session.Wire) {
	subs := w.Subs()
	for pass := 0; pass < 3; pass++ {
		for _, sub := range subs {
			s, _ := ParseSub(sub.Spec)
			ch, _ := LookupChannel(s.Channel)
			switch {
			case pass == 0 && s.Channel != "" && ch.Shared,
				pass == 1 && s.Channel != "" && !ch.Shared,
				pass == 2 && s.Note != "":
				c.send(w, sub, s)
			}
		}
	}
}

// Subscribe connects a channel or captures a note. A second connection to a shared
// channel would be ignored by the server, so it is refused here in words.
func (c *Client) Subscribe(w *session.Wire, sub *session.Sub) {
	s, _ := ParseSub(sub.Spec)
	if ch, ok := LookupChannel(s.Channel); ok && ch.Shared {
		for _, other := range w.Subs() {
			o, _ := ParseSub(other.Spec)
			if other.ID != sub.ID && o.Channel == s.Channel {
				sub.State, sub.Error = session.SubError, fmt.Sprintf("%s is a shared channel, already connected as sub %s", s.Channel, other.ID)
				return
			}
		}
	}
	c.send(w, sub, s)
}

func (c *Client) send(w *session.Wire, sub *session.Sub, s Sub) {
	if !w.IsOpen() || sub.State == session.SubError {
		return
	}
	if s.Note != "" {
		sub.ServerID, sub.State = s.Note, session.SubLive // subNote is never acknowledged
		w.Send(sub.ID, "subNote", map[string]any{"type": "subNote", "body": map[string]any{"id": s.Note}})
		return
	}
	sub.ServerID = sub.ID
	body := map[string]any{"channel": s.Channel, "id": sub.ID, "pong": true}
	if len(s.Params) > 0 {
		body["params"] = s.Params // omitted, never null: servers drop "params":null
	}
	if s.Channel == "hashtag" {
		warnHashes(w, sub.ID, s.Params)
	}
	w.Send(sub.ID, "connect", map[string]any{"type": "connect", "body": body})
	c.connects[sub.ID]++
	n, id := c.connects[sub.ID], sub.ID
	w.After(c.silence, func(w *session.Wire) { c.checkConnected(w, id, n) })
}

// checkConnected explains a connect that got no `connected`.
func (c *Client) checkConnected(w *session.Wire, id string, n int) {
	sub := w.Sub(id)
	if sub == nil || c.connects[id] != n || (sub.State != session.SubPending && sub.State != session.SubReplaying) {
		return
	}
	s, _ := ParseSub(sub.Spec)
	ch, known := LookupChannel(s.Channel)
	var causes []string
	switch {
	case !known:
		causes = append(causes, "this server does not know the channel")
	case ch.Login && !c.token:
		causes = append(causes, "needs login, this profile has no token")
	case ch.Login:
		causes = append(causes, "the token lacks a permission it needs (read:account and the like)")
	}
	open := 0
	for _, o := range w.Subs() {
		if os, _ := ParseSub(o.Spec); os.Channel != "" && o.State == session.SubLive {
			open++
		}
	}
	if open >= maxConnections {
		causes = append(causes, fmt.Sprintf("%d channels already open, the most one socket may have", open))
	}
	causes = append(causes, "a fork or old build that never sends connected")
	sub.State = session.SubNoReply
	sub.Error = fmt.Sprintf("silent for %s; likely %s (Misskey ignores a connect it will not serve, without a word)", c.silence, strings.Join(causes, "; or "))
	w.Warn(id, sub.Error)
}

// checkStats explains a serverStats connection that sends no stats.
func (c *Client) checkStats(w *session.Wire, id string, n int, events uint64) {
	sub := w.Sub(id)
	if sub == nil || c.connects[id] != n || sub.State != session.SubLive || sub.Events > events {
		return
	}
	sub.State = session.SubNoReply
	sub.Error = fmt.Sprintf("no stats for %s: machine stats are likely off on this instance (enableServerMachineStats), so it sends none and ignores requestLog", c.silence)
	w.Warn(id, sub.Error)
}

// Unsubscribe disconnects a channel or releases a note capture.
func (c *Client) Unsubscribe(w *session.Wire, sub *session.Sub) {
	if !w.IsOpen() || sub.State == session.SubError {
		return
	}
	s, _ := ParseSub(sub.Spec)
	if s.Note != "" {
		w.Send(sub.ID, "unsubNote", map[string]any{"type": "unsubNote", "body": map[string]any{"id": s.Note}})
		return
	}
	w.Send(sub.ID, "disconnect", map[string]any{"type": "disconnect", "body": map[string]any{"id": sub.ID}})
}

// RequestLog asks a stats channel connection for its history.
func (c *Client) RequestLog(w *session.Wire, subID string, length int) {
	w.Send(subID, "requestLog", map[string]any{"type": "ch", "body": map[string]any{
		"id": subID, "type": "requestLog", "body": map[string]any{"id": fmt.Sprintf("log-%d", time.Now().UnixNano()), "length": length}}})
}

// ReadNotification marks every notification read.
func (c *Client) ReadNotification(w *session.Wire) {
	w.Send("", "readNotification", map[string]any{"type": "readNotification"})
}

// paths are the only fields a summary needs; the frame is validated and read in
// one pass and its bytes kept as they are.
var paths = jsonscan.Compile(jsonscan.Paths{
	{"type"}, {"body", "id"}, {"body", "type"},
	{"body", "body", "user", "username"}, {"body", "body", "user", "host"},
	{"body", "body", "text"}, {"body", "body", "cw"}, {"body", "body", "renoteId"},
	{"body", "body", "type"}, {"body", "body", "reaction"}, {"body", "body", "note", "text"},
	{"body", "body", "userId"}, {"body", "body", "choice"},
	{"body", "body", "cpu"}, {"body", "body", "mem", "used"}, {"body", "body", "net", "rx"}, {"body", "body", "net", "tx"},
	{"body", "body"}, {"body", "body", "id"},
})

// Indexes into paths.
const (
	pType = iota
	pID
	pBodyType
	pUsername
	pHost
	pText
	pCW
	pRenote
	pInnerType
	pReaction
	pNoteText
	pUserID
	pChoice
	pCPU
	pMemUsed
	pRx
	pTx
	pInner
	pNoteID
	nPaths
)

// Decode turns one server frame into an Event.
func (c *Client) Decode(w *session.Wire, raw []byte) {
	v := &c.v
	if err := paths.Scan(raw, v[:]); err != nil || len(raw) == 0 || raw[0] != '{' {
		w.Error("", "misskey: frame is not a JSON object", raw)
		return
	}
	ev := session.Event{Kind: name(v[pType]), Raw: raw}
	id, typ := name(v[pID]), name(v[pBodyType])
	switch ev.Kind {
	case "connected":
		if s := w.Sub(id); s != nil {
			s.State, s.Error, ev.Sub = session.SubLive, "", s.ID
			ev.Summary = "connected " + channelOf(s)
			if channelOf(s) == "serverStats" {
				n, events := c.connects[id], s.Events+1 // +1: this event
				w.After(c.silence, func(w *session.Wire) { c.checkStats(w, id, n, events) })
			}
		}
	case "channel":
		ev.Kind, ev.Sub = typ, id
		if s := w.Sub(id); s != nil && s.State == session.SubNoReply {
			s.State, s.Error = session.SubLive, "" // traffic after all
		}
		if isNoteKind(typ) {
			c.note(&ev)
		} else {
			ev.Summary = summarizeChannel(typ, v, raw)
		}
	case "noteUpdated":
		ev.Kind = "noteUpdated:" + typ
		if s := w.FindServer(id); s != nil {
			ev.Sub = s.ID
		}
		ev.Summary = summarizeNoteUpdate(id, typ, v)
		ev.Key = id // the note's id: its updates and the note itself are one subject
	case "":
		ev.Kind, ev.Summary = "unknown", "message without a type"
	default:
		ev.Summary = summarizeBroadcast(ev.Kind, raw)
	}
	w.Emit(ev)
}

// note fills in the summary, label and key of a note's event from the scanned
// values, building the summary in the client's scratch buffer: one string is
// allocated for it, and the note's id is the other.
func (c *Client) note(ev *session.Event) {
	b, label, plain := appendNoteSummary(c.buf[:0], &c.v)
	ev.Summary, ev.SummaryPlain = string(b), plain
	ev.Label, ev.Key = ev.Summary[:label], c.v[pNoteID].String()
	if cap(b) <= 4<<10 { // a huge note's buffer is not kept
		c.buf = b
	}
}

// name is a string value, taken from the constants of a switch for the strings
// every frame repeats (message and event types, our connection ids), so they
// cost no allocation and, unlike a map, no hashing per frame.
func name(v jsonscan.Value) string {
	if len(v.Raw) > 2 && v.Raw[0] == '"' {
		switch s := v.Raw[1 : len(v.Raw)-1]; string(s) {
		case "channel":
			return "channel"
		case "connected":
			return "connected"
		case "noteUpdated":
			return "noteUpdated"
		case "note":
			return "note"
		case "mention":
			return "mention"
		case "reply":
			return "reply"
		case "renote":
			return "renote"
		case "notification":
			return "notification"
		case "unreadNotification":
			return "unreadNotification"
		case "stats":
			return "stats"
		case "statsLog":
			return "statsLog"
		case "reacted":
			return "reacted"
		case "unreacted":
			return "unreacted"
		case "deleted":
			return "deleted"
		case "pollVoted":
			return "pollVoted"
		case "1", "2", "3", "4", "5", "6", "7", "8", "9":
			return "123456789"[s[0]-'1' : s[0]-'0']
		}
	}
	return v.String()
}

func channelOf(s *session.Sub) string {
	sub, _ := ParseSub(s.Spec)
	return sub.Channel
}

func summarizeChannel(typ string, v *[nPaths]jsonscan.Value, raw []byte) string {
	switch typ {
	case "note", "mention", "reply", "renote":
		s, _ := noteSummary(v)
		return s
	case "notification", "unreadNotification":
		s := v[pInnerType].String()
		if typ == "unreadNotification" {
			s = "unread " + s
		}
		if u := v[pUsername].String(); u != "" {
			s += " from @" + u
			if !v[pHost].IsNull() {
				s += "@" + v[pHost].String()
			}
		}
		if r := v[pReaction].String(); r != "" {
			s += " " + r
		}
		if t := v[pNoteText].String(); t != "" {
			s += ": " + session.Shorten(t, 60)
		}
		return s
	case "stats":
		cpu, ok1 := v[pCPU].Float()
		mem, ok2 := v[pMemUsed].Float()
		rx, _ := v[pRx].Float()
		tx, _ := v[pTx].Float()
		if ok1 && ok2 {
			return fmt.Sprintf("cpu %.0f %% · mem %.1f GB used · net ↓%.0f ↑%.0f B/s", cpu*100, mem/1e9, rx, tx)
		}
	case "statsLog":
		var log []json.RawMessage
		if json.Unmarshal(v[pInner].Raw, &log) == nil {
			if len(log) == 1 {
				return "1 log entry"
			}
			return fmt.Sprintf("%d log entries", len(log))
		}
	}
	if s := summarizeOther(typ, v[pInner].Raw); s != "" {
		return s
	}
	return session.Clip(raw, 100)
}

// SummarizeNote is "@user: text", with content warnings and renotes marked.
func SummarizeNote(n *Note) string {
	who := "@" + n.User.Username
	if n.User.Host != nil {
		who += "@" + *n.User.Host
	}
	switch {
	case n.CW != nil:
		return who + ": [CW " + session.Shorten(*n.CW, 40) + "]"
	case n.Text != nil:
		text := *n.Text
		if strings.ContainsAny(text, "\n\r\t") {
			text = strings.Join(strings.Fields(text), " ")
		}
		return who + ": " + session.Shorten(text, 100)
	case n.RenoteID != nil:
		return who + " renoted " + *n.RenoteID
	}
	return who + ": (no text)"
}

// noteSummary is SummarizeNote read straight from the scanned values; see
// appendNoteSummary.
func noteSummary(v *[nPaths]jsonscan.Value) (summary string, label int) {
	var stack [256]byte
	b, label, _ := appendNoteSummary(stack[:0], v)
	return string(b), label
}

// appendNoteSummary appends SummarizeNote's text of the scanned note to b: the
// firehose's hot path, so no intermediate strings, and the note's text is read
// once, only as far as the summary keeps it. The summary starts with the
// author's handle, "@user" or "@user@host"; label is its length in b, so the
// event's Label is a slice of the same string. plain says the summary is made
// of plain strings only (jsonscan.Value.AppendPlain): the NDJSON writer need not
// escape it.
func appendNoteSummary(b []byte, v *[nPaths]jsonscan.Value) (_ []byte, label int, plain bool) {
	from := len(b)
	b, plain = v[pUsername].AppendPlain(append(b, '@'))
	label = len(b) - from
	if !v[pHost].IsNull() {
		var ok bool
		b, ok = v[pHost].AppendPlain(append(b, '@'))
		plain = plain && ok
		if len(b)-from > label+1 {
			label = len(b) - from
		}
	}
	var ok bool
	switch {
	case !v[pCW].IsNull():
		b, ok = appendShort(append(b, ": [CW "...), v[pCW], 40, false)
		b = append(b, ']')
	case !v[pText].IsNull():
		b, ok = appendShort(append(b, ": "...), v[pText], 100, true)
	case !v[pRenote].IsNull():
		b, ok = v[pRenote].AppendPlain(append(b, " renoted "...))
	default:
		b, ok = append(b, ": (no text)"...), true
	}
	return b, label, plain && ok
}

// appendShort appends the string value v cut as session.Shorten(s, n) cuts it,
// its white space runs folded to one space first when fold and it holds a line
// break or a tab (as SummarizeNote folds the text), and reports whether what
// it appended is plain (see appendNoteSummary).
//
// The common string, free of escapes, is copied as it stands in the frame, and
// only the bytes kept are read: they are counted and checked as UTF-8 in one
// pass, eight ASCII bytes at a time. A line break or tab can only come from an
// escape (a JSON string holds no raw control character), and invalid UTF-8
// (read as U+FFFD) takes the decoding road.
func appendShort(b []byte, v jsonscan.Value, n int, fold bool) ([]byte, bool) {
	if raw := v.Raw; len(raw) >= 2 && raw[0] == '"' {
		body := raw[1 : len(raw)-1]
		if bytes.IndexByte(body, '\\') < 0 {
			if cut, ok := cutRunes(body, n); ok {
				b = append(b, body[:cut]...)
				if cut < len(body) {
					b = append(b, "…"...)
				}
				return b, true
			}
		}
	}
	s := v.String()
	if fold && strings.ContainsAny(s, "\n\r\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return append(b, session.Shorten(s, n)...), false
}

// cutRunes returns the length in bytes of the first n characters of p, and
// false when they are not valid UTF-8 or hold U+2028 or U+2029 (which JSON
// writers escape). The bytes after them are not looked at.
func cutRunes(p []byte, n int) (int, bool) {
	i := 0
	for n > 0 {
		if n >= 8 && i+8 <= len(p) && binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 == 0 {
			i, n = i+8, n-8
			continue
		}
		if i >= len(p) {
			return i, true
		}
		// One character, checked as utf8.DecodeRune checks it (RFC 3629): the
		// two- and three-byte forms inline, the rest by the call.
		switch c := p[i]; {
		case c < utf8.RuneSelf:
			i++
		case c >= 0xC2 && c < 0xE0 && i+1 < len(p) && p[i+1]&0xC0 == 0x80:
			i += 2
		case c >= 0xE0 && c < 0xF0 && i+2 < len(p) && p[i+1]&0xC0 == 0x80 && p[i+2]&0xC0 == 0x80 &&
			(c != 0xE0 || p[i+1] >= 0xA0) && (c != 0xED || p[i+1] < 0xA0):
			if c == 0xE2 && p[i+1] == 0x80 && p[i+2]&^1 == 0xA8 {
				return i, false // U+2028, U+2029
			}
			i += 3
		default:
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size == 1 {
				return i, false
			}
			i += size
		}
		n--
	}
	return i, true
}

func summarizeNoteUpdate(id, typ string, v *[nPaths]jsonscan.Value) string {
	switch typ {
	case "reacted":
		return fmt.Sprintf("%s reacted %s by %s", id, v[pReaction].String(), v[pUserID].String())
	case "unreacted":
		return fmt.Sprintf("%s unreacted %s by %s", id, v[pReaction].String(), v[pUserID].String())
	case "deleted":
		return id + " deleted"
	case "updated":
		if t := v[pText].String(); t != "" {
			return id + " edited: " + session.Shorten(strings.Join(strings.Fields(t), " "), 80)
		}
		return id + " edited"
	case "pollVoted":
		if v[pChoice].Found() {
			return fmt.Sprintf("%s poll vote for choice %s by %s", id, v[pChoice].String(), v[pUserID].String())
		}
	}
	return id + " " + typ
}

// warnHashes says when a hashtag query's tag starts with '#': the server compares
// tags as given (channels/hashtag.ts), so such a tag never matches.
func warnHashes(w *session.Wire, sub string, params json.RawMessage) {
	var p struct {
		Q [][]string `json:"q"`
	}
	_ = json.Unmarshal(params, &p)
	for _, group := range p.Q {
		for _, tag := range group {
			if strings.HasPrefix(tag, "#") {
				w.Warn(sub, fmt.Sprintf("hashtag tag %q keeps its '#': the server compares tags as given, so it never matches; write %q", tag, strings.TrimLeft(tag, "#")))
			}
		}
	}
}
