package comm

import "sync"

// Log keeps the last lines of the terminal log ("Send: N1 G28*18",
// "Recv: ok") in fixed slots, so that logging a line allocates nothing once
// every slot has been used.
type Log struct {
	mu    sync.Mutex
	slots [][]byte
	next  uint64 // sequence number of the next line
}

// NewLog returns a log that keeps the last n lines (300 if n <= 0).
func NewLog(n int) *Log {
	if n <= 0 {
		n = 300
	}
	return &Log{slots: make([][]byte, n)}
}

// add logs prefix followed by line, without a trailing newline.
func (r *Log) add(prefix string, line []byte) {
	r.mu.Lock()
	r.put(prefix, line)
	r.mu.Unlock()
}

// add2 logs two lines, as two adds do, under one lock.
func (r *Log) add2(prefix1 string, line1 []byte, prefix2 string, line2 []byte) {
	r.mu.Lock()
	r.put(prefix1, line1)
	r.put(prefix2, line2)
	r.mu.Unlock()
}

// put is add with mu held.
func (r *Log) put(prefix string, line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	i := r.next % uint64(len(r.slots))
	s := append(r.slots[i][:0], prefix...)
	r.slots[i] = append(s, line...)
	r.next++
}

// Since returns the lines logged after sequence number after (the lines
// that are still kept) and the sequence number to pass next time.
func (r *Log) Since(after uint64) ([]string, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := uint64(0)
	if r.next > uint64(len(r.slots)) {
		first = r.next - uint64(len(r.slots))
	}
	if after < first {
		after = first
	}
	if after >= r.next {
		return nil, r.next
	}
	out := make([]string, 0, r.next-after)
	for seq := after; seq < r.next; seq++ {
		out = append(out, string(r.slots[seq%uint64(len(r.slots))]))
	}
	return out, r.next
}
