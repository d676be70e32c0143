package comm

import (
	"bytes"
	"errors"
	"io"
)

// lineReader reads lines from a transport without a bufio.Reader, so that
// a read that times out ((0, nil) from a serial port, or an error with a
// Timeout method) is reported rather than counted as no progress.
type lineReader struct {
	r   io.Reader
	buf []byte
	r0  int // start of unread data
	w   int // end of unread data
}

// errReadTimeout is returned by next when a read timed out.
var errReadTimeout = errors.New("read timed out")

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, 4096)}
}

// next returns the next line without its line end; the slice is valid
// until the next call. A line longer than the buffer is cut.
func (lr *lineReader) next() ([]byte, error) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.r0:lr.w], '\n'); i >= 0 {
			line := lr.buf[lr.r0 : lr.r0+i]
			lr.r0 += i + 1
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, nil
		}
		if lr.r0 > 0 {
			lr.w = copy(lr.buf, lr.buf[lr.r0:lr.w])
			lr.r0 = 0
		}
		if lr.w == len(lr.buf) { // no line end in a full buffer: cut it
			line := lr.buf[:lr.w]
			lr.r0 = lr.w
			return line, nil
		}
		n, err := lr.r.Read(lr.buf[lr.w:])
		lr.w += n
		if err != nil {
			if t, ok := err.(interface{ Timeout() bool }); ok && t.Timeout() {
				if n == 0 {
					return nil, errReadTimeout
				}
				continue
			}
			return nil, err
		}
		if n == 0 {
			return nil, errReadTimeout
		}
	}
}

// room returns the free space after the unread data, without moving the
// unread data, so that the line last returned stays valid: where an
// exchange ([exchanger]) puts the printer's answers. added counts what was
// put there.
func (lr *lineReader) room() []byte { return lr.buf[lr.w:] }

func (lr *lineReader) added(n int) { lr.w += n }

// exchanger is a transport whose printer answers a line while it is
// written, in memory, as the virtual printer does. Exchange writes w as
// Write does and then moves the answers that are ready, at most len(r)
// bytes, into r without waiting, as a Read that finds some would; it
// returns how many bytes it moved. One call (and, in the virtual printer,
// one lock) thus hands over a line and its "ok".
//
// A [Conn] whose transport is an exchanger exchanges the lines its read
// loop sends on the printer's "ok" (the lines of a print) and reads the
// answers from its own buffer; the bytes the printer sees and their order
// are the same as with Write, and what the printer says on its own (a
// temperature autoreport, a keepalive) still comes in the order it was
// said. Lines sent from other goroutines are written with Write. A serial
// port is no exchanger.
type exchanger interface {
	Exchange(w, r []byte) (n int, err error)
}

// minExchangeRoom is the free space in the read buffer below which a line
// is written with Write, and its answer read with Read, which makes room.
const minExchangeRoom = 256
