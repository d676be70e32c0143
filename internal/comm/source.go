package comm

import (
	"errors"
	"io"
	"strings"
	"sync/atomic"
)

// FileSource is the lines of a G-code file, read in blocks: each block
// becomes one string and every line a substring of it, so that streaming a
// file allocates per block, not per line. Comments and blank lines are
// skipped. Its position is safe to read while it is printed.
type FileSource struct {
	r     io.Reader
	block []byte
	text  string // unread part of the current block
	carry string // a line cut by the end of the previous block
	eof   bool

	pos   atomic.Int64 // bytes consumed up to the end of the last line returned
	lines atomic.Int64 // lines returned
}

// fileBlock is the size of the blocks a FileSource reads.
const fileBlock = 64 << 10

// NewFileSource returns the lines of r.
func NewFileSource(r io.Reader) *FileSource {
	return &FileSource{r: r, block: make([]byte, fileBlock)}
}

// Pos returns how many bytes of the file were consumed by the lines
// returned so far.
func (s *FileSource) Pos() int64 { return s.pos.Load() }

// Lines returns how many lines were returned so far.
func (s *FileSource) Lines() int64 { return s.lines.Load() }

// Next implements [Source].
func (s *FileSource) Next() (string, error) {
	for {
		i := strings.IndexByte(s.text, '\n')
		if i < 0 {
			if s.eof {
				if s.text == "" && s.carry == "" {
					return "", io.EOF
				}
				raw := s.carry + s.text
				s.carry, s.text = "", ""
				s.pos.Add(int64(len(raw)))
				if line := CleanLine(raw); line != "" {
					s.lines.Add(1)
					return line, nil
				}
				continue
			}
			if err := s.fill(); err != nil {
				return "", err
			}
			continue
		}
		raw := s.text[:i]
		s.text = s.text[i+1:]
		if s.carry != "" {
			raw = s.carry + raw
			s.carry = ""
		}
		s.pos.Add(int64(len(raw) + 1))
		if line := CleanLine(raw); line != "" {
			s.lines.Add(1)
			return line, nil
		}
	}
}

// fill reads the next block, keeping an unfinished line.
func (s *FileSource) fill() error {
	if s.text != "" {
		s.carry += s.text
		s.text = ""
	}
	n, err := io.ReadFull(s.r, s.block)
	if n > 0 {
		s.text = string(s.block[:n])
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		s.eof = true
		return nil
	}
	return err
}
