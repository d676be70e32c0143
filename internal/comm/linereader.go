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
