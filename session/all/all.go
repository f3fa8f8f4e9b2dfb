// Package all links every dialect into a binary: each registers itself with
// session.Register in its init. Adding a dialect is one line here.
package all

import (
	_ "github.com/feedscope/feedscope/session/gotham"
	_ "github.com/feedscope/feedscope/session/hypothesis"
	_ "github.com/feedscope/feedscope/session/isymphony"
	_ "github.com/feedscope/feedscope/session/misskey"
	_ "github.com/feedscope/feedscope/session/websocket"
)
