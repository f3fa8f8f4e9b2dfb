package misskey

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// other holds the fields the summaries of the less frequent channel events read:
// they are decoded only for those, so the note path keeps its single scan. Shapes
// per misskey-dev/misskey packages/backend/src/core/GlobalEventService.ts (see
// docs/protocols.md and testdata/real/misskey/).
type other struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Username string          `json:"username"`
	Host     *string         `json:"host"`
	Type     string          `json:"type"`
	Size     *int64          `json:"size"`
	Comment  string          `json:"comment"`
	Target   string          `json:"targetUserId"`
	Reporter string          `json:"reporterId"`
	Game     *reversiGame    `json:"game"`
	User     *UserLite       `json:"user"`
	User1    *bool           `json:"user1"`
	User2    *bool           `json:"user2"`
	UserID   string          `json:"userId"`
	WinnerID *string         `json:"winnerId"`
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Op       string          `json:"operation"`
	Pos      *int            `json:"pos"`
	Deliver  *queue          `json:"deliver"`
	Inbox    *queue          `json:"inbox"`
}

type queue struct{ Active, Waiting, Delayed int }

type reversiGame struct {
	ID    string    `json:"id"`
	User1 *UserLite `json:"user1"`
	User2 *UserLite `json:"user2"`
}

func at(u *UserLite) string {
	if u == nil {
		return "@?"
	}
	s := "@" + u.Username
	if u.Host != nil {
		s += "@" + *u.Host
	}
	return s
}

// summarizeOther describes a channel event other than a note, a notification or
// stats; "" when it cannot.
func summarizeOther(typ string, body json.RawMessage) string {
	if typ == "readAllNotifications" {
		return "all notifications read"
	}
	var id string
	if json.Unmarshal(body, &id) == nil && id != "" { // fileDeleted, folderDeleted, unreadMention: just an id
		switch typ {
		case "fileDeleted":
			return "file " + id + " deleted"
		case "folderDeleted":
			return "folder " + id + " deleted"
		}
		return typ + " " + id
	}
	var o other
	if json.Unmarshal(body, &o) != nil {
		return ""
	}
	me := &UserLite{Username: o.Username, Host: o.Host}
	switch typ {
	case "follow":
		return "you followed " + at(me)
	case "followed":
		return at(me) + " followed you"
	case "unfollow":
		return "you unfollowed " + at(me)
	case "receiveFollowRequest":
		return at(me) + " asks to follow you"
	case "meUpdated":
		return "your account changed (" + at(me) + ")"
	case "driveFileCreated", "fileCreated", "fileUpdated":
		verb := map[string]string{"fileUpdated": "updated"}[typ]
		if verb == "" {
			verb = "uploaded"
		}
		s := fmt.Sprintf("file %s %s", o.Name, verb)
		if o.Size != nil {
			s += fmt.Sprintf(" (%s, %d bytes)", o.Type, *o.Size)
		}
		return s
	case "folderCreated", "folderUpdated":
		return "folder " + o.Name + " " + strings.TrimPrefix(typ, "folder")
	case "newAbuseUserReport":
		return fmt.Sprintf("abuse report on %s by %s: %s", o.Target, o.Reporter, session.Shorten(o.Comment, 60))
	case "stats":
		if o.Deliver != nil && o.Inbox != nil {
			return fmt.Sprintf("deliver %d active, %d waiting, %d delayed · inbox %d active, %d waiting, %d delayed",
				o.Deliver.Active, o.Deliver.Waiting, o.Deliver.Delayed, o.Inbox.Active, o.Inbox.Waiting, o.Inbox.Delayed)
		}
	case "matched":
		if o.Game != nil {
			return fmt.Sprintf("reversi game %s: %s vs %s", o.Game.ID, at(o.Game.User1), at(o.Game.User2))
		}
	case "invited":
		return "invited to reversi by " + at(o.User)
	case "changeReadyStates":
		yes := func(b *bool) string {
			if b != nil && *b {
				return "ready"
			}
			return "not ready"
		}
		return "player 1 " + yes(o.User1) + ", player 2 " + yes(o.User2)
	case "updateSettings":
		return fmt.Sprintf("%s set %s to %s", o.UserID, o.Key, session.Clip(o.Value, 40))
	case "started":
		if o.Game != nil {
			return "reversi game " + o.Game.ID + " started"
		}
	case "ended":
		s := "reversi game ended"
		if o.Game != nil {
			s = "reversi game " + o.Game.ID + " ended"
		}
		if o.WinnerID != nil {
			return s + ", winner " + *o.WinnerID
		}
		return s + " in a draw"
	case "canceled":
		return "reversi game canceled by " + o.UserID
	case "log":
		if o.Pos != nil {
			return fmt.Sprintf("%s at %d", o.Op, *o.Pos)
		}
	case "message":
		return "chat message " + o.ID
	}
	return ""
}

// broadcast is the body of the messages every socket receives.
type broadcast struct {
	Emoji        *struct{ Name string }  `json:"emoji"`
	Emojis       []struct{ Name string } `json:"emojis"`
	Announcement *struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"announcement"`
}

// summarizeBroadcast describes a top-level message other than a channel event.
func summarizeBroadcast(kind string, raw []byte) string {
	var env struct {
		Body broadcast `json:"body"`
	}
	if json.Unmarshal(raw, &env) == nil {
		b := env.Body
		names := func() string {
			n := make([]string, len(b.Emojis))
			for i, e := range b.Emojis {
				n[i] = ":" + e.Name + ":"
			}
			return strings.Join(n, " ")
		}
		switch {
		case kind == "emojiAdded" && b.Emoji != nil:
			return "emoji :" + b.Emoji.Name + ": added"
		case kind == "emojiUpdated" && len(b.Emojis) > 0:
			return "emoji updated: " + names()
		case kind == "emojiDeleted" && len(b.Emojis) > 0:
			return "emoji deleted: " + names()
		case kind == "announcementCreated" && b.Announcement != nil:
			return "announcement: " + b.Announcement.Title
		}
	}
	return session.Clip(raw, 100)
}
