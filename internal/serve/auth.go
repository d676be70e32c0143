package serve

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tentacle-go/tentacle/settings"
)

// apiKeyPath is where the API key lives in config.yaml.
const apiKeyPath = "api.key"

// setupAPIKey reads the API key from the configuration, or makes one on
// first start, saves it, and prints it once. With a configuration that does
// not parse, a key for this run only is made and printed.
func (s *Server) setupAPIKey() error {
	if key := s.store.GetString(apiKeyPath); key != "" {
		s.apiKey = key
		return nil
	}
	s.apiKey = randomHex(16)
	if err := s.store.Set(apiKeyPath, s.apiKey); err != nil {
		if !errors.Is(err, settings.ErrReadOnly) {
			return fmt.Errorf("server: store API key: %w", err)
		}
		fmt.Fprintf(s.opts.Console, "API key for this run only (config.yaml does not parse): %s\n", s.apiKey)
		return nil
	}
	if err := s.store.Save(); err != nil {
		return fmt.Errorf("server: save API key: %w", err)
	}
	fmt.Fprintf(s.opts.Console, "API key (shown once, kept as %s in %s): %s\n", apiKeyPath, s.dir.config(), s.apiKey)
	return nil
}

// requestKey returns the API key a request carries: X-Api-Key, or an
// Authorization: Bearer header.
func requestKey(r *http.Request) string {
	if k := r.Header.Get("X-Api-Key"); k != "" {
		return k
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		return strings.TrimPrefix(auth, "Bearer ")
	}
	return ""
}

// rightKey reports whether k is the server's API key.
func (s *Server) rightKey(k string) bool {
	return subtle.ConstantTimeCompare([]byte(k), []byte(s.apiKey)) == 1
}

// authorize returns true when r may change things (it carries the API key,
// or an admin user's session cookie); otherwise it answers 401 (no
// credentials), or 403 (a wrong key, a user who may only read) and
// returns false.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	return s.admitAdmin(w, r, "may only read: changes need an admin user or the API key")
}

// admitAdmin is authorize with the end of the 403 answer to a user who is
// not an admin ("user <name> <forbidden>").
func (s *Server) admitAdmin(w http.ResponseWriter, r *http.Request, forbidden string) bool {
	c := s.callerOf(r)
	switch {
	case c.admin:
		return true
	case c.session != nil:
		writeError(w, http.StatusForbidden, fmt.Sprintf("user %q %s", c.name, forbidden))
	case requestKey(r) != "":
		writeError(w, http.StatusForbidden, errWrongKey)
	default:
		writeError(w, http.StatusUnauthorized, "this request needs the API key (header X-Api-Key) or a login (POST /api/login)")
	}
	return false
}

// errWrongKey is the message of the 403 answer to a wrong key.
const errWrongKey = "wrong API key"

// needsKey reports whether a request with this method changes something.
func needsKey(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// randomHex returns n random bytes in hex (crypto/rand never fails on the
// systems Go supports).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
