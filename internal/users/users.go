// Package users keeps the tentacle server's user accounts in
// <basedir>/users.yaml: a name, whether the user is an admin, and the
// password's hash, never the password.
//
// The file is written whole and atomically (a temporary file renamed over
// it), readable by its owner only (0600):
//
//	users:
//	  ada:
//	    admin: true
//	    password: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// # Why argon2id
//
// Passwords are hashed with argon2id (RFC 9106, golang.org/x/crypto/argon2)
// rather than bcrypt: it is memory-hard, so guessing on graphics cards or
// dedicated hardware costs memory as well as time; it has no 72-byte limit
// on the password; and it is the first choice of OWASP's password storage
// guidance, whose baseline parameters it uses (19 MiB, 2 passes, 1 lane).
// The parameters are stored with each hash (the PHC string format), so
// they can be raised later without making older hashes unreadable. The
// memory a hash takes is why the server bounds how many it computes at
// once.
package users

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/argon2"
)

// FileName is the name of the users file in the base directory.
const FileName = "users.yaml"

// Limits of names and passwords.
const (
	MaxName        = 64
	MinPassword    = 8
	MaxPassword    = 1024 // bytes: a bound on the work one login asks for
	fileMode       = 0o600
	argonTime      = 2
	argonMemoryKiB = 19 * 1024
	argonThreads   = 1
	argonKeyLen    = 32
	saltLen        = 16
)

// Errors of the changes.
var (
	ErrExists   = errors.New("user exists")
	ErrNotFound = errors.New("no such user")
)

// User is one account.
type User struct {
	Name  string
	Admin bool
	// Hash is the password's argon2id hash in the PHC string format.
	Hash string
}

// Users is the content of a users file. The zero value is no users.
type Users struct {
	byName map[string]User
}

// entry is a user in the file.
type entry struct {
	Admin    bool   `yaml:"admin"`
	Password string `yaml:"password"`
}

type file struct {
	Users map[string]entry `yaml:"users"`
}

// Load reads a users file; a missing one is no users. A file that does not
// parse, or holds a bad name or a password that is not an argon2id hash,
// is an error: the server then lets nobody log in with a password.
func Load(path string) (*Users, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Users{}, nil
	}
	if err != nil {
		return nil, err
	}
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	u := &Users{byName: make(map[string]User, len(f.Users))}
	for name, e := range f.Users {
		if err := CheckName(name); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if _, err := parseHash(e.Password); err != nil {
			return nil, fmt.Errorf("%s: user %q: %w", path, name, err)
		}
		u.byName[name] = User{Name: name, Admin: e.Admin, Hash: e.Password}
	}
	return u, nil
}

// Save writes the users to path atomically, with mode 0600, creating its
// folder if needed.
func (u *Users) Save(path string) error {
	f := file{Users: make(map[string]entry, len(u.byName))}
	for name, us := range u.byName {
		f.Users[name] = entry{Admin: us.Admin, Password: us.Hash}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return replaceFile(path, buf.Bytes())
}

// replaceFile replaces the users file at path with data, owner-only (see
// atomicfile.Write), so that a reader sees the old content or the new.
func replaceFile(path string, data []byte) error {
	if err := atomicfile.Write(path, data, atomicfile.Options{Perm: fileMode}); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Len returns how many users there are.
func (u *Users) Len() int { return len(u.byName) }

// Get returns the user called name.
func (u *Users) Get(name string) (User, bool) {
	us, ok := u.byName[name]
	return us, ok
}

// List returns the users sorted by name.
func (u *Users) List() []User {
	list := make([]User, 0, len(u.byName))
	for _, us := range u.byName {
		list = append(list, us)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// Add adds a user with a password (hashed here).
func (u *Users) Add(name, password string, admin bool) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if _, ok := u.byName[name]; ok {
		return fmt.Errorf("%w: %s", ErrExists, name)
	}
	hash, err := Hash(password)
	if err != nil {
		return err
	}
	if u.byName == nil {
		u.byName = make(map[string]User)
	}
	u.byName[name] = User{Name: name, Admin: admin, Hash: hash}
	return nil
}

// Remove removes a user.
func (u *Users) Remove(name string) error {
	if _, ok := u.byName[name]; !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	delete(u.byName, name)
	return nil
}

// SetPassword changes a user's password.
func (u *Users) SetPassword(name, password string) error {
	us, ok := u.byName[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	hash, err := Hash(password)
	if err != nil {
		return err
	}
	us.Hash = hash
	u.byName[name] = us
	return nil
}

// CheckName says what is wrong with a user name: it must be 1 to 64
// letters, digits, '.', '-' or '_', and not start with '_' (names such as
// _api are the server's own) or '.'.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("empty user name")
	case len(name) > MaxName:
		return fmt.Errorf("user name longer than %d characters", MaxName)
	case name[0] == '_' || name[0] == '.' || name[0] == '-':
		return fmt.Errorf("user name %q starts with %q (reserved)", name, name[0])
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return fmt.Errorf("user name %q has %q: use letters, digits, '.', '-' and '_'", name, r)
		}
	}
	return nil
}

// CheckPassword says what is wrong with a new password: fewer than 8
// characters, more than 1024 bytes, or not UTF-8.
func CheckPassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return errors.New("the password is not UTF-8 text")
	case utf8.RuneCountInString(password) < MinPassword:
		return fmt.Errorf("the password is shorter than %d characters", MinPassword)
	case len(password) > MaxPassword:
		return fmt.Errorf("the password is longer than %d bytes", MaxPassword)
	}
	return nil
}

// params are the parameters and salt of a stored hash.
type params struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

var b64 = base64.RawStdEncoding

// Hash hashes a password with argon2id and a random salt, in the PHC
// string format.
func Hash(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches hash, comparing in constant
// time. A hash that does not parse matches nothing.
func Verify(hash, password string) bool {
	p, err := parseHash(hash)
	if err != nil || len(password) > MaxPassword {
		return false
	}
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// DummyVerify costs what Verify of a real hash costs, for a login with an
// unknown user name: the answer's timing does not tell the names.
func DummyVerify(password string) {
	Verify(dummyHash, password)
}

var dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// parseHash reads an argon2id PHC string, refusing parameters beyond what
// a login may cost (a hand-edited file must not make one take minutes).
func parseHash(hash string) (params, error) {
	var p params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, errors.New("password is not an argon2id hash ($argon2id$...)")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, fmt.Errorf("argon2id hash of an unknown version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, fmt.Errorf("argon2id hash with bad parameters %q", parts[3])
	}
	if p.memory < 8 || p.memory > 1<<20 || p.time < 1 || p.time > 16 || p.threads < 1 || p.threads > 16 {
		return p, fmt.Errorf("argon2id hash with parameters out of range %q", parts[3])
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, errors.New("argon2id hash with a bad salt")
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, errors.New("argon2id hash with a bad key")
	}
	return p, nil
}
