package serve

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/tentacle-go/tentacle/internal/users"
)

// userDB is the server's view of <basedir>/users.yaml. The server never
// writes the file (tentacle users does); it reads it again whenever it
// changed, when a login or a browser session needs it, and ends the
// sessions of the users it no longer has, whose password changed or who
// lost or gained the admin flag.
type userDB struct {
	path    string
	log     *slog.Logger
	changed func(ended map[string]bool) // ends the sessions of these users (true: removed)

	mu    sync.Mutex
	fi    os.FileInfo // of the file read; nil when there was none
	users *users.Users
}

func newUserDB(root string, log *slog.Logger, changed func(map[string]bool)) *userDB {
	db := &userDB{path: filepath.Join(root, users.FileName), log: log, changed: changed, users: &users.Users{}}
	db.current()
	return db
}

// current returns the users, read again if the file changed. A file that
// cannot be read or does not parse counts as no users (nobody logs in
// with a password; the API key still works), and is logged.
func (db *userDB) current() *users.Users {
	db.mu.Lock()
	fi, err := os.Stat(db.path)
	if err != nil {
		fi = nil
	}
	if sameFile(fi, db.fi) {
		u := db.users
		db.mu.Unlock()
		return u
	}
	next, err := users.Load(db.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		next = &users.Users{}
	case err != nil:
		db.log.Error("cannot read the users: nobody can log in with a password until the file is fixed", "error", err)
		next = &users.Users{}
	}
	ended := make(map[string]bool)
	for _, old := range db.users.List() {
		if now, ok := next.Get(old.Name); !ok || now.Hash != old.Hash || now.Admin != old.Admin {
			ended[old.Name] = !ok
		}
	}
	db.fi, db.users = fi, next
	if fi != nil {
		db.log.Info("users read", "file", db.path, "users", next.Len())
	}
	// Still holding mu: a request that finds the file as read now cannot
	// find an ended session still live.
	if len(ended) > 0 && db.changed != nil {
		db.changed(ended)
	}
	db.mu.Unlock()
	return next
}

// sameFile reports whether two stats are of the same unchanged file (or
// both of none).
func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size() && a.Mode() == b.Mode()
}
