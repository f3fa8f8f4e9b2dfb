package ui

import (
	"context"
	"sync"

	"github.com/feedscope/feedscope/session"
)

// Hub owns the open sessions; all of them publish into one Ring that the UI
// drains. It never touches a widget; its methods are safe from any goroutine.
type Hub struct {
	Ring *session.Ring

	mu       sync.Mutex
	sessions map[string]*session.Session
}

// NewHub returns a hub whose ring keeps capacity events.
func NewHub(capacity int) *Hub {
	return &Hub{Ring: session.NewRing(capacity), sessions: map[string]*session.Session{}}
}

// Connect opens a session for p, replacing a previous one of the same name.
func (h *Hub) Connect(p session.Profile) error {
	h.Disconnect(p.Name)
	s, err := session.New(p, h.Ring)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.sessions[p.Name] = s
	h.mu.Unlock()
	s.Start(context.Background())
	return nil
}

// Disconnect closes the named profile's session with 1000, if it has one.
func (h *Hub) Disconnect(name string) {
	h.mu.Lock()
	s := h.sessions[name]
	delete(h.sessions, name)
	h.mu.Unlock()
	if s != nil {
		s.Close()
	}
}

// Session returns the named profile's session, or nil.
func (h *Hub) Session(name string) *session.Session {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[name]
}

// Live reports whether the named profile has a session that has not ended (a
// rejected or closed one can be connected again).
func (h *Hub) Live(name string) bool {
	s := h.Session(name)
	if s == nil {
		return false
	}
	select {
	case <-s.Done():
		return false
	default:
		return true
	}
}

// CloseAll closes every session.
func (h *Hub) CloseAll() {
	h.mu.Lock()
	all := h.sessions
	h.sessions = map[string]*session.Session{}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() { defer wg.Done(); s.Close() }()
	}
	wg.Wait()
}

// ProfileState is what the sidebar and status bar show of one profile.
type ProfileState struct {
	Connected bool
	Status    session.Status
	Subs      []session.Sub
}

// States snapshots every connected profile's state.
func (h *Hub) States() map[string]ProfileState {
	h.mu.Lock()
	all := make(map[string]*session.Session, len(h.sessions))
	for k, v := range h.sessions {
		all[k] = v
	}
	h.mu.Unlock()
	out := make(map[string]ProfileState, len(all))
	for name, s := range all {
		out[name] = ProfileState{Connected: true, Status: s.Status(), Subs: s.Subs()}
	}
	return out
}
