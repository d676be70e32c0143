package process

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

// fileIdentity is what tells one state of a file from another without
// reading it: the device and inode it is (a file put in its place by a
// rename is another inode), its size, and its modification and change
// times in nanoseconds. The change time is the kernel's: any write, and
// any change of the modification time itself, sets it to the clock, and
// no call sets it back. (Only the systems with inode numbers and change
// times have one: elsewhere every start reads the file.)
type fileIdentity struct {
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime"`
	Ctime int64  `json:"ctime"`
}

// checkRecord is one check that passed: the file, as identified, has
// SHA256 and speaks Protocol (found in the same read). A record without a
// protocol (from a host before it) is read again.
type checkRecord struct {
	File     fileIdentity `json:"file"`
	SHA256   string       `json:"sha256"`
	Protocol string       `json:"protocol,omitempty"`
}

// racyWindow is how long after its last change a file's check is not
// recorded. A file system stamps changes with a clock that may tick only
// every few milliseconds, so a write in the same tick as a check could
// leave the change time as it was; once the file has not changed for
// longer than this, a later write gets a later stamp.
var racyWindow = 2 * time.Second // a variable for the tests

// checks keeps the checks of executables against their SHA-256 that
// passed, so that a start may be answered without reading the file again:
// only when the file is the very file checked, unchanged in any way (see
// fileIdentity), and its manifest asks for the same SHA-256. Kept in
// memory, and in a file when one is given (Options.CheckRecords), so that
// they last across the host's runs. The zero of *checks (nil) keeps
// nothing: every start reads the file.
type checks struct {
	path string // "": in memory only
	now  func() time.Time
	racy time.Duration // racyWindow; shorter in tests

	mu      sync.Mutex
	loaded  bool
	records map[string]checkRecord // by the executable's path
}

func newChecks(path string) *checks {
	return &checks{path: path, now: time.Now, racy: racyWindow, records: make(map[string]checkRecord)}
}

// passed reports whether path, identified as id, was checked earlier
// against want and passed, and the protocol it was found to speak.
func (c *checks) passed(path string, id fileIdentity, want string) (protocol string, ok bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	r, ok := c.records[path]
	if !ok || r.File != id || r.Protocol == "" ||
		subtle.ConstantTimeCompare([]byte(r.SHA256), []byte(strings.ToLower(want))) != 1 {
		return "", false
	}
	return r.Protocol, true
}

// record keeps a check that passed: path, identified as id before it was
// read and again after, has sum and speaks protocol. A file that changed while it was read, or
// changed too lately for its change time to be trusted (racyWindow), is
// not recorded. A failure to write the record file only loses the record.
func (c *checks) record(path string, before, after fileIdentity, sum, protocol string) {
	if c == nil || before != after || c.now().UnixNano()-before.Ctime < int64(c.racy) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	c.records[path] = checkRecord{File: before, SHA256: sum, Protocol: protocol}
	_ = c.save()
}

// load reads the record file once; a missing or unreadable one is an empty
// record (every file is read again and the record rewritten).
func (c *checks) load() {
	if c.loaded {
		return
	}
	c.loaded = true
	if c.path == "" {
		return
	}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return
	}
	var recs map[string]checkRecord
	if json.Unmarshal(b, &recs) == nil {
		for p, r := range recs {
			c.records[p] = r
		}
	}
}

// save writes the record file whole, by a rename, leaving out the
// executables that are gone (an uninstalled plugin's).
func (c *checks) save() error {
	if c.path == "" {
		return nil
	}
	for p := range c.records {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			delete(c.records, p)
		}
	}
	b, err := json.MarshalIndent(c.records, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(c.path, append(b, '\n'), atomicfile.Options{})
}

// verifyOpen opens an executable and checks it against the SHA-256 its
// manifest gives, and tells the protocol it speaks (see scanSHA256): from
// a check recorded in c when the file is the one checked, unchanged; else
// by reading it through the descriptor returned (and the check is
// recorded in c).
func verifyOpen(path, want string, c *checks) (*os.File, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("check executable: %w", err)
	}
	before, known := identify(f)
	if known {
		if protocol, ok := c.passed(path, before, want); ok {
			return f, protocol, nil
		}
	}
	got, protocol, err := scanSHA256(f)
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("check executable: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(want))) != 1 {
		f.Close()
		return nil, "", fmt.Errorf("%w: %s has %s, the manifest says %s (reinstall the plugin)", ErrChecksum, path, got, want)
	}
	if known {
		if after, ok := identify(f); ok {
			c.record(path, before, after, got, protocol)
		}
	}
	return f, protocol, nil
}
