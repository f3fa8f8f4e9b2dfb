// Package control is Feedscope's controller: the profiles, one Session for each
// of them (started or not), the one Ring their events go into, the profile and
// secret store, subscription changes kept in step with the saved profiles,
// profile import and export, and the demo profiles. It imports no UI toolkit: the
// desktop window drives it, and its tests run without one.
//
// Every method is safe from any goroutine and returns without waiting on the
// network or the disk: sessions queue their frames, and saving happens on the
// controller's own goroutine (Flush waits for it).
package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
)

// Options configure a Controller.
type Options struct {
	// Store keeps the profiles and their secrets; nil keeps them in memory only.
	Store *ProfileStore
	// RingCap is how many events the ring keeps (session.DefaultRingCap when 0).
	RingCap int
	// RecordDir is where Record puts recordings (the working directory when "").
	RecordDir string
}

// State is what a screen shows of one profile.
type State struct {
	Live   bool // a run is wanted and has not ended on its own
	Status session.Status
	Subs   []session.Sub
}

// Controller owns the profiles and their sessions.
type Controller struct {
	ring  *session.Ring
	store *ProfileStore
	recs  *record.Set  // the profiles being recorded
	sink  session.Sink // every session's events: the ring, the recordings, the watch rules
	srcs  sourceList   // recordings opened as read-only sources

	mu       sync.Mutex
	profiles []*entry // in the order they were added

	dirty   chan struct{} // a save is due
	saved   *sync.Cond    // signalled after every save, under saveMu
	saveMu  sync.Mutex
	seq     uint64   // save requests made
	done    uint64   // save requests covered by a finished save
	forgets []string // profiles whose secrets go at the next save
	onErr   func(error)
	watch   atomic.Pointer[watching] // the profiles' watch rules, running
	stop    chan struct{}
	closed  sync.Once
	wg      sync.WaitGroup
}

// entry is one profile: what is saved, its session, and whether it is a demo.
type entry struct {
	p    session.Profile
	s    *session.Session // nil when the profile cannot make one (an unknown dialect)
	err  error            // why s is nil
	demo bool
	// shadowed is the saved profile of the same name a demo profile stands in for
	// during this run: it is still what is saved and exported.
	shadowed *session.Profile
}

// saved returns what of e is saved: its profile, or for a demo the one it shadows.
func (e *entry) saved() (session.Profile, bool) {
	switch {
	case !e.demo:
		return clone(e.p), true
	case e.shadowed != nil:
		return clone(*e.shadowed), true
	}
	return session.Profile{}, false
}

// New returns a controller with no profiles; Load reads the saved ones.
func New(o Options) *Controller {
	c := &Controller{ring: session.NewRing(o.RingCap), store: o.Store, recs: &record.Set{Dir: o.RecordDir},
		dirty: make(chan struct{}, 1), stop: make(chan struct{})}
	c.sink = session.SinkFunc(c.publish)
	c.saved = sync.NewCond(&c.saveMu)
	c.wg.Add(2)
	go c.saver()
	go c.tickRules()
	return c
}

// Ring is where every session's events go.
func (c *Controller) Ring() *session.Ring { return c.ring }

// SecretsWhere says where secrets are kept, for the profile form.
func (c *Controller) SecretsWhere() string {
	if c.store == nil || c.store.Secrets == nil {
		return "memory (this run only)"
	}
	return c.store.Secrets.Where()
}

// Load reads the saved profiles and connects those marked AutoConnect. An error
// says why the file could not be used (a corrupt one is moved aside); the
// controller then goes on with what it has.
func (c *Controller) Load() error {
	if c.store == nil {
		return nil
	}
	ps, err := c.store.Load()
	for _, p := range ps {
		if c.Has(p.Name) {
			continue
		}
		e := c.add(p, false)
		if p.AutoConnect && e.s != nil {
			e.s.Start(context.Background())
		}
	}
	return err
}

// AddDemo adds profiles that are never saved or exported (the demo server's, whose
// port changes every run) and connects them. A demo profile replaces a profile of
// the same name for this run.
func (c *Controller) AddDemo(ps []session.Profile) {
	for _, p := range ps {
		c.mu.Lock()
		old := c.take(p.Name)
		c.mu.Unlock()
		if old != nil && old.s != nil {
			old.s.Stop()
		}
		e := c.add(p, true)
		if old != nil && !old.demo {
			saved := old.p
			e.shadowed = &saved // still saved and exported as it was
		}
		if e.s != nil {
			e.s.Start(context.Background())
		}
	}
}

// add makes p's entry and session (not started).
func (c *Controller) add(p session.Profile, demo bool) *entry {
	e := &entry{p: p, demo: demo}
	e.s, e.err = session.New(p, c.sink)
	c.mu.Lock()
	c.profiles = append(c.profiles, e)
	c.mu.Unlock()
	c.rewatch()
	return e
}

// take removes and returns the named entry; c.mu is held.
func (c *Controller) take(name string) *entry {
	for i, e := range c.profiles {
		if e.p.Name == name {
			c.profiles = slices.Delete(c.profiles, i, i+1)
			return e
		}
	}
	return nil
}

func (c *Controller) find(name string) *entry {
	for _, e := range c.profiles {
		if e.p.Name == name {
			return e
		}
	}
	return nil
}

// Has reports whether a profile is called name.
func (c *Controller) Has(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.find(name) != nil
}

// IsDemo reports whether the named profile is a demo profile.
func (c *Controller) IsDemo(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.find(name)
	return e != nil && e.demo
}

// Profiles returns a copy of every profile, sorted by name.
func (c *Controller) Profiles() []session.Profile {
	c.mu.Lock()
	out := make([]session.Profile, len(c.profiles))
	for i, e := range c.profiles {
		out[i] = clone(e.p)
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Profile returns a copy of the named profile.
func (c *Controller) Profile(name string) (session.Profile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.find(name); e != nil {
		return clone(e.p), true
	}
	return session.Profile{}, false
}

func clone(p session.Profile) session.Profile {
	p.Subs = slices.Clone(p.Subs)
	p.Rules = slices.Clone(p.Rules)
	p.Subprotocols = slices.Clone(p.Subprotocols)
	p.HeaderNames = slices.Clone(p.HeaderNames)
	p.Headers = maps.Clone(p.Headers)
	p.Settings = maps.Clone(p.Settings)
	return p
}

// Put creates a profile (old "") or replaces the one called old, which p may
// rename, and saves. A replaced profile that was connected, or one marked
// AutoConnect, connects with the new settings.
func (c *Controller) Put(old string, p session.Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d, _ := session.Lookup(p.Dialect)
	for i, spec := range p.Subs {
		if err := d.CheckSub(spec); err != nil {
			return fmt.Errorf("profile %s: subscription %d: %w", p.Name, i+1, err)
		}
	}
	c.mu.Lock()
	if p.Name != old && c.find(p.Name) != nil {
		c.mu.Unlock()
		return fmt.Errorf("another profile is already called %q", p.Name)
	}
	var prev *entry
	if old != "" {
		if prev = c.take(old); prev == nil {
			c.mu.Unlock()
			return fmt.Errorf("no profile %s", old)
		}
	}
	c.mu.Unlock()
	wasLive := false
	if prev != nil && prev.s != nil {
		wasLive = prev.s.Running()
		prev.s.Stop()
	}
	e := c.add(clone(p), false)
	if (wasLive || p.AutoConnect) && e.s != nil {
		e.s.Start(context.Background())
	}
	if prev != nil && prev.p.Name != p.Name {
		c.forget(prev.p.Name)
	}
	c.save()
	return nil
}

// Delete removes a profile, its session and its secrets.
func (c *Controller) Delete(name string) error {
	c.mu.Lock()
	e := c.take(name)
	c.mu.Unlock()
	if e == nil {
		return fmt.Errorf("no profile %s", name)
	}
	c.rewatch()
	if e.s != nil {
		e.s.Stop()
	}
	_ = c.recs.Stop(name)
	if _, saved := e.saved(); saved {
		c.forget(name)
		c.save()
	}
	return nil
}

// forget has the saving goroutine remove a profile's secrets before its next save:
// one goroutine touches the store, so no two writes of the secrets file interleave.
func (c *Controller) forget(name string) {
	if c.store == nil {
		return
	}
	c.saveMu.Lock()
	c.forgets = append(c.forgets, name)
	c.saveMu.Unlock()
	c.save()
}

// session returns the named profile's session, or an error in words.
func (c *Controller) session(name string) (*session.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.find(name)
	switch {
	case e == nil:
		return nil, fmt.Errorf("no profile %s", name)
	case e.s == nil:
		return nil, e.err
	}
	return e.s, nil
}

// Connect starts the named profile's session; it returns at once.
func (c *Controller) Connect(name string) error {
	s, err := c.session(name)
	if err != nil {
		return err
	}
	s.Start(context.Background())
	return nil
}

// Disconnect asks the named profile's session to close with 1000; it returns at
// once.
func (c *Controller) Disconnect(name string) {
	if s, err := c.session(name); err == nil {
		s.Stop()
	}
}

// Live reports whether the named profile's session is running.
func (c *Controller) Live(name string) bool {
	s, err := c.session(name)
	return err == nil && s.Running()
}

// States snapshots every profile's state.
func (c *Controller) States() map[string]State {
	c.mu.Lock()
	all := slices.Clone(c.profiles)
	c.mu.Unlock()
	out := make(map[string]State, len(all))
	for _, e := range all {
		if e.s == nil {
			out[e.p.Name] = State{Status: session.Status{Phase: session.PhaseClosed, Detail: e.err.Error()}}
			continue
		}
		out[e.p.Name] = State{Live: e.s.Running(), Status: e.s.Status(), Subs: e.s.Subs()}
	}
	return out
}

// Subs returns the named profile's subscription table, connected or not.
func (c *Controller) Subs(name string) []session.Sub {
	s, err := c.session(name)
	if err != nil {
		return nil
	}
	return s.Subs()
}

// Subscribe adds a subscription to the named profile and returns its id. It goes
// out now when the profile is connected, on the next connect otherwise.
func (c *Controller) Subscribe(profile string, spec json.RawMessage) (string, error) {
	s, err := c.session(profile)
	if err != nil {
		return "", err
	}
	id, err := s.Subscribe(spec)
	if err != nil {
		return "", err
	}
	c.sync(profile, s)
	return id, nil
}

// Replace changes what subscription id of the named profile asks for, keeping
// its id.
func (c *Controller) Replace(profile, id string, spec json.RawMessage) error {
	s, err := c.session(profile)
	if err != nil {
		return err
	}
	if err := s.Replace(id, spec); err != nil {
		return err
	}
	c.sync(profile, s)
	return nil
}

// Unsubscribe removes subscription id of the named profile.
func (c *Controller) Unsubscribe(profile, id string) error {
	s, err := c.session(profile)
	if err != nil {
		return err
	}
	if err := s.Unsubscribe(id); err != nil {
		return err
	}
	c.sync(profile, s)
	return nil
}

// sync makes the saved profile hold the session's subscriptions, so that they
// survive a restart.
func (c *Controller) sync(profile string, s *session.Session) {
	subs := s.Subs()
	specs := make([]json.RawMessage, len(subs))
	for i, sub := range subs {
		specs[i] = sub.Spec
	}
	c.mu.Lock()
	e := c.find(profile)
	if e == nil || e.s != s {
		c.mu.Unlock()
		return
	}
	e.p.Subs = specs
	demo := e.demo
	c.mu.Unlock()
	if !demo {
		c.save()
	}
}

// ErrNotConnected is returned for a command to a profile that is not connected.
var ErrNotConnected = errors.New("not connected: connect it first")

// Run runs one of the dialect's commands on the named profile's socket.
func (c *Controller) Run(profile string, cmd session.Command) error {
	s, err := c.session(profile)
	if err != nil {
		return err
	}
	if !s.Running() {
		return fmt.Errorf("%s is %w", profile, ErrNotConnected)
	}
	if cmd.Run != nil {
		s.Do(cmd.Run)
	}
	return nil
}

// SendRaw sends a frame as it is on the named profile's socket.
func (c *Controller) SendRaw(profile string, frame []byte) error {
	s, err := c.session(profile)
	if err != nil {
		return err
	}
	if !s.Running() {
		return fmt.Errorf("%s is %w", profile, ErrNotConnected)
	}
	return s.SendRaw(frame)
}

// ExportProfiles writes every profile but the demo ones, sorted by name, without
// their secrets, and returns how many it wrote.
func (c *Controller) ExportProfiles(w io.Writer) (int, error) {
	var keep []session.Profile
	c.mu.Lock()
	for _, e := range c.profiles {
		if p, ok := e.saved(); ok {
			p.HeaderNames = headerNames(p.Headers)
			keep = append(keep, p)
		}
	}
	c.mu.Unlock()
	sort.Slice(keep, func(i, j int) bool { return keep[i].Name < keep[j].Name })
	b, err := json.MarshalIndent(profileFile{Version: 1, Profiles: keep}, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("failed to encode profiles: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		return 0, fmt.Errorf("failed to write profiles: %w", err)
	}
	return len(keep), nil
}

// ImportProfiles adds the profiles of an export, skipping invalid ones and names
// already taken, and returns how many it added out of how many the file held.
func (c *Controller) ImportProfiles(r io.Reader) (added, total int, err error) {
	var f profileFile
	if err := json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(&f); err != nil {
		return 0, 0, fmt.Errorf("that file is not a Feedscope profiles export: %w", err)
	}
	for _, p := range f.Profiles {
		// An export carries no secrets; a file that does is not trusted with them.
		p.Token, p.Password, p.Headers = "", "", nil
		if p.Validate() != nil || c.Has(p.Name) {
			continue
		}
		if _, err := session.New(p, session.SinkFunc(func(session.Event) {})); err != nil {
			continue // a subscription the dialect refuses
		}
		c.add(p, false)
		added++
	}
	if added > 0 {
		c.save()
	}
	return added, len(f.Profiles), nil
}

// save asks the saving goroutine to write the profiles.
func (c *Controller) save() {
	if c.store == nil {
		return
	}
	select {
	case <-c.stop:
		return // closed: Close saved what there was
	default:
	}
	c.saveMu.Lock()
	c.seq++
	c.saveMu.Unlock()
	select {
	case c.dirty <- struct{}{}:
	default:
	}
}

// OnSaveError sets what is told, from the saving goroutine, when saving fails.
func (c *Controller) OnSaveError(f func(error)) {
	c.saveMu.Lock()
	c.onErr = f
	c.saveMu.Unlock()
}

// Flush waits until every change made so far is saved.
func (c *Controller) Flush() {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	want := c.seq
	for c.done < want {
		c.saved.Wait()
	}
}

// saver writes the profiles whenever they changed, one save at a time, off every
// caller's goroutine.
func (c *Controller) saver() {
	defer c.wg.Done()
	for {
		select {
		case <-c.dirty:
		case <-c.stop:
			return
		}
		c.saveMu.Lock()
		upTo, forgets := c.seq, c.forgets
		c.forgets = nil
		c.saveMu.Unlock()
		for _, name := range forgets {
			c.store.Forget(name)
		}
		var keep []session.Profile
		c.mu.Lock()
		for _, e := range c.profiles {
			if p, ok := e.saved(); ok {
				keep = append(keep, p)
			}
		}
		c.mu.Unlock()
		err := c.store.Save(keep)
		c.saveMu.Lock()
		if onErr := c.onErr; err != nil && onErr != nil {
			c.saveMu.Unlock()
			onErr(err)
			c.saveMu.Lock()
		}
		c.done = max(c.done, upTo)
		c.saved.Broadcast()
		c.saveMu.Unlock()
	}
}

// Close saves what is pending, closes every session and waits for them.
func (c *Controller) Close() {
	c.closed.Do(func() {
		c.Flush()
		close(c.stop)
		c.mu.Lock()
		all := slices.Clone(c.profiles)
		c.mu.Unlock()
		var wg sync.WaitGroup
		for _, e := range all {
			if e.s != nil {
				wg.Add(1)
				go func() { defer wg.Done(); e.s.Close() }()
			}
		}
		wg.Wait()
		c.wg.Wait()
		_ = c.recs.Close()
	})
}

// DemoOnly keeps the profiles of one dialect ("" keeps all).
func DemoOnly(ps []session.Profile, dialect string) []session.Profile {
	if dialect == "" {
		return ps
	}
	var out []session.Profile
	for _, p := range ps {
		if strings.EqualFold(p.Dialect, dialect) {
			out = append(out, p)
		}
	}
	return out
}
