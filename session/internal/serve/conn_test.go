package serve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A client still writing when the server closes gets the close frame and its code,
// not a reset: the server reads out what the client sent before it cuts the socket.
func TestCloseReachesAClientThatKeepsWriting(t *testing.T) {
	conns := make(chan *Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := Upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := NewConn(ws, Options{})
		conns <- c
		c.Serve(func(int, []byte) { c.Close(websocket.ClosePolicyViolation, "bye") })
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := <-conns
	// Frames the server has not read when it writes its close: a socket closed with
	// unread data sends a reset, and the reset drops the close frame on the client.
	frame := []byte(strings.Repeat("x", 1<<10))
	for i := 0; i < 200; i++ {
		if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server's connection never ended")
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation || ce.Text != "bye" {
		t.Fatalf("the client read %v, want the close frame 1008 (bye)", err)
	}
}
