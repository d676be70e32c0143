package transport

// Prepare dials one connection ahead of the first call (with its shared
// channel, where calls use them) and keeps it idle, so that the first call
// finds it made. The answering side then takes the connection while it is
// free to: a host that accepts it while it waits on a shared channel's
// futex for an answer of its own was measured to take 5 to 8 ms to notice
// it, which delayed a plugin's first call into its host, made from inside
// the host's call of Initialize, by that much. A failure changes nothing:
// the first call then dials, as it would have.
func (p *Conns) Prepare() error {
	c, err := p.get()
	if err != nil {
		return err
	}
	p.put(c)
	return nil
}

// Idle returns how many connections the pool keeps idle, ready for a call.
func (p *Conns) Idle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}
