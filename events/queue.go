package events

// ring is a bounded FIFO of events. It grows on demand up to its limit, so
// an idle subscriber costs little, and when full it makes room by dropping
// the oldest event. It is not safe for concurrent use: the subscription's
// mutex guards it.
type ring struct {
	buf   []Event // len(buf) is the current capacity, at most limit
	head  int     // index of the oldest event
	n     int     // number of queued events
	limit int
}

// minRing is the capacity a ring starts with on its first push.
const minRing = 16

// push appends ev. If the ring is at its limit it drops the oldest event to
// make room and returns it with true.
func (r *ring) push(ev Event) (dropped Event, ok bool) {
	if r.n == r.limit {
		dropped = r.buf[r.head]
		r.buf[r.head] = ev // the slot of the oldest becomes the newest
		r.head = (r.head + 1) % len(r.buf)
		return dropped, true
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = ev
	r.n++
	return Event{}, false
}

// grow doubles the capacity (bounded by limit) and unwraps the contents to
// start at index 0.
func (r *ring) grow() {
	size := max(2*len(r.buf), minRing)
	size = min(size, r.limit)
	buf := make([]Event, size)
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf, r.head = buf, 0
}

// pop removes and returns the oldest event; ok is false when r is empty.
func (r *ring) pop() (ev Event, ok bool) {
	if r.n == 0 {
		return Event{}, false
	}
	ev = r.buf[r.head]
	r.buf[r.head] = Event{} // let the payload be collected
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return ev, true
}

// reset drops every queued event, releases the buffer and returns how many
// events there were.
func (r *ring) reset() int {
	n := r.n
	r.buf, r.head, r.n = nil, 0, 0
	return n
}
