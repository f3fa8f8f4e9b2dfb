package session

// NamesHeld is how many entries the ring's table of names has, for the tests.
func (r *Ring) NamesHeld() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.names.index)
}
