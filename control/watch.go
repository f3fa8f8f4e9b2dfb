package control

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/watch"
)

// watching is the watch engine over every profile's rules, and the rules' JSON
// it was built from (an unchanged set keeps its engine, and what it remembers).
type watching struct {
	eng  *watch.Engine
	key  string
	errs []error
}

// publish is every session's sink: the event goes into the ring and the
// recordings, and the alerts it raises into the ring right after it, as events
// of Dir watch.DirAlert (a recording keeps the feed; a replay raises them again).
func (c *Controller) publish(e session.Event) {
	c.ring.Publish(e)
	c.recs.Publish(e)
	if w := c.watch.Load(); w != nil && w.eng != nil {
		for _, a := range w.eng.Observe(e) {
			c.ring.Publish(a.Event())
		}
	}
}

// tickRules runs the time-driven rules (silence, rate) four times a second.
func (c *Controller) tickRules() {
	defer c.wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			if w := c.watch.Load(); w != nil && w.eng != nil {
				for _, a := range w.eng.Tick(now) {
					c.ring.Publish(a.Event())
				}
			}
		}
	}
}

// profileRules reads a profile's saved rules; a rule without a profile watches
// the one it is saved with.
func profileRules(p session.Profile) ([]watch.Rule, []error) {
	var rules []watch.Rule
	var errs []error
	for i, raw := range p.Rules {
		var r watch.Rule
		if err := json.Unmarshal(raw, &r); err != nil {
			errs = append(errs, fmt.Errorf("profile %s: watch rule %d: %w", p.Name, i+1, err))
			continue
		}
		if r.Profile == "" {
			r.Profile = p.Name
		}
		if err := r.Check(); err != nil {
			errs = append(errs, fmt.Errorf("profile %s: %w", p.Name, err))
			continue
		}
		rules = append(rules, r)
	}
	return rules, errs
}

// rewatch rebuilds the engine when the profiles' rules have changed.
func (c *Controller) rewatch() {
	c.mu.Lock()
	var rules []watch.Rule
	var errs []error
	for _, e := range c.profiles {
		rs, es := profileRules(e.p)
		rules, errs = append(rules, rs...), append(errs, es...)
	}
	c.mu.Unlock()
	b, _ := json.Marshal(rules)
	if w := c.watch.Load(); w != nil && w.key == string(b) {
		return
	}
	w := &watching{key: string(b), errs: errs}
	if len(rules) > 0 {
		eng, err := watch.New(rules, time.Now())
		if err != nil {
			w.errs = append(w.errs, err)
		}
		w.eng = eng
	}
	c.watch.Store(w)
}

// Rules returns the named profile's watch rules.
func (c *Controller) Rules(profile string) []watch.Rule {
	p, ok := c.Profile(profile)
	if !ok {
		return nil
	}
	rules, _ := profileRules(p)
	return rules
}

// RuleErrors says which saved rules could not be read, in words.
func (c *Controller) RuleErrors() []error {
	if w := c.watch.Load(); w != nil {
		return w.errs
	}
	return nil
}

// SetRules replaces the named profile's watch rules and saves them with it (a
// demo profile keeps them for this run). The session is not touched.
func (c *Controller) SetRules(profile string, rules []watch.Rule) error {
	raws := make([]json.RawMessage, 0, len(rules))
	for _, r := range rules {
		if r.Profile == "" {
			r.Profile = profile
		}
		if err := r.Check(); err != nil {
			return err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		raws = append(raws, b)
	}
	c.mu.Lock()
	e := c.find(profile)
	if e == nil {
		c.mu.Unlock()
		return fmt.Errorf("no profile %s", profile)
	}
	e.p.Rules = raws
	demo := e.demo
	c.mu.Unlock()
	c.rewatch()
	if !demo {
		c.save()
	}
	return nil
}

// WatchStats reports what every rule has done.
func (c *Controller) WatchStats() []watch.Stat {
	if w := c.watch.Load(); w != nil && w.eng != nil {
		return w.eng.Stats()
	}
	return nil
}
