package process

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// runPrefix begins the name of the folder a host process keeps its plugin
// processes' sockets in, under Options.SocketDir: tentacle-run-<8 hex>.
const runPrefix = "tentacle-run-"

// socketPathOverhead is how much longer than the socket folder the longest
// socket path gets: /tentacle-run-<8>/plugin-dir<10>/plugin<10> (go-plugin
// names its folder and sockets with up to 10 random digits; the direct-call
// sockets, calls and host, are shorter).
const socketPathOverhead = 1 + len(runPrefix) + 8 + 1 + len("plugin-dir") + 10 + 1 + len("plugin") + 10

// maxSocketPath is the longest path a unix socket may have: sun_path holds
// 108 bytes on Linux, 104 on the BSDs and macOS, the final NUL included.
func maxSocketPath() int {
	if runtime.GOOS == "linux" {
		return 107
	}
	return 103
}

// runDirs keeps one folder of its own, in the socket folder, for the
// sockets of the plugin processes this host runs: go-plugin's (each
// process gets a folder in it, PLUGIN_UNIX_SOCKET_DIR), the direct-call
// sockets both ways. The folder is made when the first process starts and
// removed, with everything in it, when the last one has stopped. While it
// exists it is locked (flock on the folder), so that another host (or the
// next run, after this one was killed) can tell a folder in use from one
// left behind, and removes only those left behind.
type runDirs struct {
	base string // the socket folder
	own  bool   // base is the host's (SocketDir): removed when left empty

	mu    sync.Mutex
	users int      // processes using dir
	dir   string   // this host's folder, "" when none
	lock  *os.File // dir, locked
}

// newRunDirs chooses the socket folder (dir made absolute, unless unix
// socket paths in it would be too long: then the temporary folder, or
// /tmp) and removes what hosts that no longer run left there.
func newRunDirs(dir string) *runDirs {
	r := &runDirs{}
	r.base, r.own = socketBase(dir)
	r.clean()
	return r
}

// socketBase is the folder the sockets go in: the first of dir, the
// temporary folder and /tmp whose socket paths fit, else the shortest;
// own says whether it is dir.
func socketBase(dir string) (base string, own bool) {
	var candidates []string
	if dir != "" {
		candidates = append(candidates, dir)
	}
	candidates = append(candidates, os.TempDir())
	if runtime.GOOS != "windows" {
		candidates = append(candidates, "/tmp")
	}
	best, bestOwn := "", false
	for i, c := range candidates {
		abs, err := filepath.Abs(c)
		if err != nil {
			continue
		}
		if len(abs)+socketPathOverhead <= maxSocketPath() {
			return abs, dir != "" && i == 0
		}
		if best == "" || len(abs) < len(best) {
			best, bestOwn = abs, dir != "" && i == 0
		}
	}
	return best, bestOwn
}

// clean removes the folders of hosts that no longer run: tentacle-run-*
// folders of this user whose lock can be taken. Nothing else in the socket
// folder is touched.
func (r *runDirs) clean() {
	des, err := os.ReadDir(r.base)
	if err != nil {
		return
	}
	for _, de := range des {
		if !de.IsDir() || !strings.HasPrefix(de.Name(), runPrefix) {
			continue // a symbolic link is no folder of ours either
		}
		path := filepath.Join(r.base, de.Name())
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		if ownedByUs(f) && tryLock(f) {
			_ = os.RemoveAll(path)
		}
		f.Close()
	}
	if r.own {
		_ = os.Remove(r.base) // only when empty: another host may use it
	}
}

// acquire returns this host's folder for one more process, making it when
// there is none; "" when it cannot be made (go-plugin then uses the
// temporary folder, as it does by default). Every acquire is followed by
// one release.
func (r *runDirs) acquire() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dir == "" {
		dir, lock, err := r.make()
		if err != nil {
			return ""
		}
		r.dir, r.lock = dir, lock
	}
	r.users++
	return r.dir
}

// release gives a folder from acquire back; the last one removes it.
func (r *runDirs) release(dir string) {
	if dir == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.users--
	if r.users > 0 {
		return
	}
	r.lock.Close() // first: a folder cannot be removed while open on some systems
	_ = os.RemoveAll(r.dir)
	r.dir, r.lock = "", nil
	if r.own {
		_ = os.Remove(r.base) // only when empty: another host may use it
	}
}

// make makes and locks a new folder for this host.
func (r *runDirs) make() (string, *os.File, error) {
	var err error
	for range 10 {
		// Made again each time: a host that released its last folder may
		// just have removed the socket folder.
		if err = os.MkdirAll(r.base, 0o700); err != nil {
			continue
		}
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		dir := filepath.Join(r.base, runPrefix+hex.EncodeToString(b))
		if err = os.Mkdir(dir, 0o700); err != nil {
			continue
		}
		var f *os.File
		if f, err = os.Open(dir); err != nil {
			continue
		}
		// Another host's clean may have taken the new folder for one left
		// behind between its making and its locking, and removed it.
		if tryLock(f) && sameFile(f, dir) {
			return dir, f, nil
		}
		f.Close()
		err = fmt.Errorf("folder %s was taken", dir)
	}
	return "", nil, fmt.Errorf("make the plugin processes' socket folder in %s: %w", r.base, err)
}

// sameFile reports whether f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}
