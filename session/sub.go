package session

import (
	"encoding/json"
	"time"
)

// States of a subscription.
const (
	SubPending   = "pending"   // asked for, not yet acknowledged
	SubLive      = "live"      // acknowledged (or sent, where the dialect never acknowledges)
	SubError     = "error"     // refused; Sub.Error holds the server's words
	SubReplaying = "replaying" // being sent again after a reconnect
	SubOffline   = "offline"   // wanted, but the socket is not open
	// SubNoReply: nothing came back in time; Sub.Error says what that likely means.
	// Traffic arriving later turns it live.
	SubNoReply = "no reply"
	// SubUnconfirmed: sent to a server whose answer is undocumented; live once
	// events arrive, an error only on an explicit failure.
	SubUnconfirmed = "sent, not confirmed"
)

// Sub is one desired subscription and what the server made of it. Its ID is ours and
// stays the same across reconnects; ServerID is what the server calls it now (a
// Gotham UUID, a Misskey connection id, a note id).
type Sub struct {
	ID       string          `json:"id"`
	Spec     json.RawMessage `json:"spec"`
	State    string          `json:"state"`
	ServerID string          `json:"serverId,omitempty"`
	Error    string          `json:"error,omitempty"`
	Events   uint64          `json:"events"`
	LastSeen time.Time       `json:"lastSeen"`
	// Replays counts how often the subscription was sent again after a reconnect.
	Replays int `json:"replays"`

	wasOpen bool // it was wanted while a socket was open, so the next open replays it
}
