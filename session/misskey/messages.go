// Package misskey speaks the Misskey Streaming API from both ends: Dialect is the
// client Feedscope connects with, Server the demo server's simulation of an instance.
// Both follow docs/protocols.md §2.
package misskey

import (
	"encoding/json"
	"fmt"
)

// Name is the dialect's key.
const Name = "misskey"

// Channel describes one channel of the reference table.
type Channel struct {
	Name   string
	Login  bool     // needs an authenticated socket
	Shared bool     // joined once per socket; a second connect is ignored
	Params []string // parameter names it takes
}

// Channels lists every channel in the reference, in its order.
var Channels = []Channel{
	{Name: "main", Login: true, Shared: true},
	{Name: "homeTimeline", Login: true, Params: []string{"withRenotes", "withFiles"}},
	{Name: "localTimeline", Params: []string{"withRenotes", "withReplies", "withFiles"}},
	{Name: "hybridTimeline", Login: true, Params: []string{"withRenotes", "withReplies", "withFiles"}},
	{Name: "globalTimeline", Params: []string{"withRenotes", "withFiles"}},
	{Name: "userList", Login: true, Params: []string{"listId", "withFiles", "withRenotes"}},
	{Name: "antenna", Login: true, Params: []string{"antennaId"}},
	{Name: "hashtag", Params: []string{"q"}},
	{Name: "roleTimeline", Params: []string{"roleId"}},
	{Name: "channel", Params: []string{"channelId"}},
	{Name: "drive", Login: true, Shared: true},
	{Name: "serverStats", Shared: true},
	{Name: "queueStats", Shared: true},
	{Name: "admin", Login: true, Shared: true},
	{Name: "chatUser", Login: true, Params: []string{"otherId"}},
	{Name: "chatRoom", Login: true, Params: []string{"roomId"}},
	// Games: reversi (matching, invitations) needs login and is shared; reversiGame
	// is per game and open to watchers (channels/reversi.ts, channels/reversi-game.ts).
	{Name: "reversi", Login: true, Shared: true},
	{Name: "reversiGame", Params: []string{"gameId"}},
}

// LookupChannel returns the reference entry for a channel name.
func LookupChannel(name string) (Channel, bool) {
	for _, c := range Channels {
		if c.Name == name {
			return c, true
		}
	}
	return Channel{}, false
}

// Sub is the native subscription of `tail --sub`: a channel connection, or a note
// capture.
type Sub struct {
	Channel string          `json:"channel,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Note    string          `json:"note,omitempty"`
}

// ParseSub checks a subscription and names the faulty field.
func ParseSub(raw json.RawMessage) (Sub, error) {
	var s Sub
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("misskey sub: %w", err)
	}
	switch {
	case s.Channel != "" && s.Note != "":
		return s, fmt.Errorf("misskey sub: give either \"channel\" or \"note\", not both")
	case s.Note != "":
		return s, nil
	case s.Channel == "":
		return s, fmt.Errorf("misskey sub: \"channel\" (or \"note\") is missing")
	}
	if len(s.Params) > 0 {
		var obj map[string]json.RawMessage
		if string(s.Params) == "null" || json.Unmarshal(s.Params, &obj) != nil {
			return s, fmt.Errorf("misskey sub: \"params\" must be an object (servers drop a connect whose params are null)")
		}
		if q, ok := obj["q"]; ok && s.Channel == "hashtag" {
			var groups [][]string
			if json.Unmarshal(q, &groups) != nil {
				return s, fmt.Errorf("misskey sub: params.q must be a list of lists of tags, e.g. [[\"go\",\"fyne\"],[\"misskey\"]]")
			}
		}
	}
	return s, nil
}

// envelope is the outer shape of every message, both ways.
type envelope struct {
	Type string          `json:"type"`
	Body json.RawMessage `json:"body"`
}

// channelBody is the body of a `channel` message and of `noteUpdated`.
type channelBody struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Body json.RawMessage `json:"body"`
}

// UserLite is the user summary carried by notes.
type UserLite struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Username string  `json:"username"`
	Host     *string `json:"host"`
}

// Note holds the fields of a note that the demo filters on and summaries show.
type Note struct {
	ID       string   `json:"id"`
	User     UserLite `json:"user"`
	Text     *string  `json:"text"`
	CW       *string  `json:"cw"`
	Tags     []string `json:"tags"`
	ReplyID  *string  `json:"replyId"`
	RenoteID *string  `json:"renoteId"`
	FileIDs  []string `json:"fileIds"`
}
