package misskey

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/feedscope/feedscope/session"
)

// DescribeSub names the channel (with its parameters) or the captured note.
func (Dialect) DescribeSub(spec json.RawMessage) string {
	s, err := ParseSub(spec)
	if err != nil {
		return ""
	}
	if s.Note != "" {
		return "note " + s.Note
	}
	if len(s.Params) > 0 {
		return s.Channel + " " + string(s.Params)
	}
	return s.Channel
}

// DefaultSub is the local timeline, which needs no login.
func (Dialect) DefaultSub() json.RawMessage { return json.RawMessage(`{"channel":"localTimeline"}`) }

// Commands are the socket's own requests.
func (Dialect) Commands() []session.Command {
	return []session.Command{
		{Label: "Mark notifications read", Hint: "Sent readNotification.", Run: func(c session.Client, w *session.Wire) { c.(*Client).ReadNotification(w) }},
		{Label: "Watch a note: select a note in the table and press Watch this note."},
	}
}

// historyLength is how many stats entries History asks for.
const historyLength = 50

// SubCommands offer a stats channel's history (requestLog).
func (Dialect) SubCommands(spec json.RawMessage, id string) []session.Command {
	s, _ := ParseSub(spec)
	if s.Channel != "serverStats" && s.Channel != "queueStats" {
		return nil
	}
	return []session.Command{{Label: "History", Hint: fmt.Sprintf("Asked for the last %d stats entries…", historyLength),
		Run: func(c session.Client, w *session.Wire) { c.(*Client).RequestLog(w, id, historyLength) }}}
}

// isNoteKind reports whether a channel message carries a note. A switch, not a
// map: Decode asks for every frame, and the map's hashing showed in the profile.
func isNoteKind(kind string) bool {
	switch kind {
	case "note", "mention", "reply", "renote":
		return true
	}
	return false
}

// FollowUp offers to capture a note's reactions, poll votes and deletion.
func (Dialect) FollowUp(e *session.Event) (session.FollowUp, bool) {
	if !isNoteKind(e.Kind) || e.Key == "" {
		return session.FollowUp{}, false
	}
	return session.FollowUp{
		Label:  "Watch note " + e.Key,
		Spec:   json.RawMessage(`{"note":` + strconv.Quote(e.Key) + `}`),
		Notice: "Watching note " + e.Key + ": reactions and deletes arrive as noteUpdated.",
	}, true
}

// ReplyOf recognises a stats channel's history and charts its cpu and memory.
func (Dialect) ReplyOf(e *session.Event) (session.Reply, bool) {
	if e.Dir != session.DirIn || e.Kind != "statsLog" {
		return session.Reply{}, false
	}
	var env struct {
		Body struct {
			Body []struct {
				CPU float64 `json:"cpu"`
				Mem struct {
					Used float64 `json:"used"`
				} `json:"mem"`
			} `json:"body"`
		} `json:"body"`
	}
	if json.Unmarshal(e.Raw, &env) != nil {
		return session.Reply{}, false
	}
	cpu := session.Series{Name: "cpu", Min: 0, Max: 1}
	mem := session.Series{Name: "memory used"}
	log := env.Body.Body
	for i := len(log) - 1; i >= 0; i-- { // the log is newest first
		cpu.Values = append(cpu.Values, log[i].CPU)
		mem.Values = append(mem.Values, log[i].Mem.Used)
	}
	return session.Reply{
		Text:   "Stats history: " + strconv.Itoa(len(log)) + " entries, newest on the right (cpu %, memory used).",
		Series: []session.Series{cpu, mem},
	}, true
}

// CheckURL keeps the token out of the URL: Feedscope sends it as ?i= itself, and a
// URL is kept in the profiles file, exports and recordings, where a token must not be.
func (Dialect) CheckURL(p *session.Profile) *session.URLProblem {
	u, err := url.Parse(p.URL)
	if err != nil || !u.Query().Has("i") {
		return nil
	}
	return &session.URLProblem{
		Message: "the token is in the URL (?i=), where the profiles file and exports would keep it: move it to the Token field; Feedscope sends it as ?i= and as a header itself",
		Fix: func(p *session.Profile) {
			u, err := url.Parse(p.URL)
			if err != nil {
				return
			}
			q := u.Query()
			if p.Token == "" {
				p.Token = q.Get("i")
			}
			q.Del("i")
			u.RawQuery = q.Encode()
			p.URL = u.String()
		},
	}
}
