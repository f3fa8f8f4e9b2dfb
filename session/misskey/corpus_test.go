package misskey_test

import (
	"encoding/json"
	"testing"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// Every frame of testdata/real/misskey (real server and misskey-js shapes, each
// citing its source) decodes into an event of the right kind with a readable
// summary, and every frame the official client sends passes CheckMessage.
func TestCorpusDecodes(t *testing.T) {
	p := session.Profile{Name: "corpus", Dialect: "misskey", URL: "ws://x/streaming",
		Subs: []json.RawMessage{st.JSON(`{"channel":"localTimeline"}`)}}
	st.CheckCorpus(t, p, map[string]st.Row{
		"admin-newAbuseUserReport":      {Kind: "newAbuseUserReport", Summary: "abuse report on 9abc000004 by 9abc000002: spam links in every reply"},
		"broadcast-announcementCreated": {Kind: "announcementCreated", Summary: "announcement: Scheduled maintenance"},
		"broadcast-emojiAdded":          {Kind: "emojiAdded", Summary: "emoji :blobcat_wave: added"},
		"broadcast-emojiDeleted":        {Kind: "emojiDeleted", Summary: "emoji deleted: :blobcat_wave:"},
		"broadcast-emojiUpdated":        {Kind: "emojiUpdated", Summary: "emoji updated: :blobcat_wave:"},
		"channel-note-remote-cw":        {Kind: "note", Summary: "@gopher@go.social: [CW Film spoilers]"},
		"channel-note-renote":           {Kind: "note", Summary: "@alice renoted a3x9k2m1p0"},
		"channel-note":                  {Kind: "note", Summary: "@alice: hello #misskey from the local timeline"},
		"client-ch-putStone":            {Kind: "client"},
		"client-ch-requestLog":          {Kind: "client"},
		"client-connect-hashtag":        {Kind: "client"},
		"client-connect-reversiGame":    {Kind: "client"},
		"client-connect":                {Kind: "client"},
		"client-disconnect":             {Kind: "client"},
		"client-readNotification":       {Kind: "client"},
		"client-s":                      {Kind: "client"},
		"client-subNote":                {Kind: "client"},
		"client-unsubNote":              {Kind: "client"},
		"connected":                     {Kind: "connected", Summary: "connected localTimeline"},
		"drive-fileCreated":             {Kind: "fileCreated", Summary: "file sunset.jpg uploaded (image/jpeg, 183211 bytes)"},
		"drive-fileDeleted":             {Kind: "fileDeleted", Summary: "file a3xb0000f1 deleted"},
		"main-driveFileCreated":         {Kind: "driveFileCreated", Summary: "file sunset.jpg uploaded (image/jpeg, 183211 bytes)"},
		"main-follow":                   {Kind: "follow", Summary: "you followed @gopher@go.social"},
		"main-followed":                 {Kind: "followed", Summary: "@gopher@go.social followed you"},
		"main-meUpdated":                {Kind: "meUpdated", Summary: "your account changed (@alice)"},
		"main-mention":                  {Kind: "mention", Summary: "@gopher@go.social: @alice look at this #fyne"},
		"main-notification":             {Kind: "notification", Summary: "reaction from @gopher@go.social :like@.:: hello #misskey from the local timeline"},
		"main-readAllNotifications":     {Kind: "readAllNotifications", Summary: "all notifications read"},
		"main-renote":                   {Kind: "renote", Summary: "@gopher@go.social renoted a3x9k2m1p0"},
		"main-reply":                    {Kind: "reply", Summary: "@gopher@go.social: agreed! #misskey"},
		"main-unfollow":                 {Kind: "unfollow", Summary: "you unfollowed @gopher@go.social"},
		"main-unreadNotification":       {Kind: "unreadNotification", Summary: "unread follow from @gopher@go.social"},
		"noteUpdated-deleted":           {Kind: "noteUpdated:deleted", Summary: "a3x9k2m1p0 deleted"},
		"noteUpdated-pollVoted":         {Kind: "noteUpdated:pollVoted", Summary: "a3x9k2m1p0 poll vote for choice 1 by 9abc000003"},
		"noteUpdated-reacted-unicode":   {Kind: "noteUpdated:reacted", Summary: "a3x9k2m1p0 reacted 👍 by 9abc000002"},
		"noteUpdated-reacted":           {Kind: "noteUpdated:reacted", Summary: "a3x9k2m1p0 reacted :blobcat_wave@.: by 9abc000004"},
		"noteUpdated-unreacted":         {Kind: "noteUpdated:unreacted", Summary: "a3x9k2m1p0 unreacted 👍 by 9abc000002"},
		"noteUpdated-updated":           {Kind: "noteUpdated:updated", Summary: "a3x9k2m1p0 edited: hello #misskey (edited)"},
		"queueStats-stats":              {Kind: "stats", Summary: "deliver 1 active, 0 waiting, 2 delayed · inbox 2 active, 5 waiting, 0 delayed"},
		"queueStats-statsLog":           {Kind: "statsLog", Summary: "1 log entry"},
		"reversi-invited":               {Kind: "invited", Summary: "invited to reversi by @bob"},
		"reversi-matched":               {Kind: "matched", Summary: "reversi game a3xf0000g1: @alice vs @bob"},
		"reversiGame-canceled":          {Kind: "canceled", Summary: "reversi game canceled by 9abc000002"},
		"reversiGame-changeReadyStates": {Kind: "changeReadyStates", Summary: "player 1 ready, player 2 not ready"},
		"reversiGame-ended":             {Kind: "ended", Summary: "reversi game a3xf0000g1 ended, winner 9abc000001"},
		"reversiGame-log":               {Kind: "log", Summary: "put at 19"},
		"reversiGame-started":           {Kind: "started", Summary: "reversi game a3xf0000g1 started"},
		"reversiGame-updateSettings":    {Kind: "updateSettings", Summary: "9abc000001 set timeLimitForEachTurn to 60"},
		"serverStats-stats":             {Kind: "stats", Summary: "cpu 12 % · mem 3.2 GB used · net ↓1520 ↑830 B/s"},
		"serverStats-statsLog":          {Kind: "statsLog", Summary: "2 log entries"},
	})
}

// The demo server's frames have the real service's field names and types.
func TestDemoMatchesCorpusShapes(t *testing.T) {
	srv := st.StartDemo(t, 40) // fast, yet the ping deadline (2 × 60 s / speed) stays loose
	r := st.Dial(t, srv.URL("misskey"), authed("demo"))
	channels := map[string]string{"m": "main", "l": "localTimeline", "s": "serverStats", "q": "queueStats"}
	for id, ch := range channels {
		r.Send(`{"type":"connect","body":{"channel":"` + ch + `","id":"` + id + `","pong":true}}`)
	}
	r.Send(`{"type":"ch","body":{"id":"s","type":"requestLog","body":{"id":"x","length":5}}}`)
	r.Send(`{"type":"ch","body":{"id":"q","type":"requestLog","body":{"id":"y","length":5}}}`)
	subbed := false
	kind := func(m map[string]any) string {
		body, _ := m["body"].(map[string]any)
		switch m["type"] {
		case "channel":
			ch := channels[body["id"].(string)]
			if ch == "localTimeline" {
				if !subbed { // capture a note to get its noteUpdated
					subbed = true
					inner := body["body"].(map[string]any)
					r.Send(`{"type":"subNote","body":{"id":"` + inner["id"].(string) + `"}}`)
				}
				return "note"
			}
			return ch + ":" + body["type"].(string)
		case "noteUpdated":
			return "noteUpdated:" + body["type"].(string)
		}
		return m["type"].(string)
	}
	st.CheckShapes(t, r, "misskey", kind, map[string][]string{
		"connected":             {"connected"},
		"note":                  {"channel-note", "channel-note-remote-cw", "channel-note-renote"},
		"main:notification":     {"main-notification", "main-unreadNotification"},
		"main:mention":          {"main-mention", "main-reply"},
		"main:followed":         {"main-followed"},
		"serverStats:stats":     {"serverStats-stats"},
		"serverStats:statsLog":  {"serverStats-statsLog"},
		"queueStats:stats":      {"queueStats-stats"},
		"queueStats:statsLog":   {"queueStats-statsLog"},
		"noteUpdated:reacted":   {"noteUpdated-reacted", "noteUpdated-reacted-unicode"},
		"noteUpdated:unreacted": {"noteUpdated-unreacted"},
		"noteUpdated:pollVoted": {"noteUpdated-pollVoted"},
		"emojiAdded":            {"broadcast-emojiAdded"},
	})
}
