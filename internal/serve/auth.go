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

// hasKey reports whether r carries the right API key. (One that carries
// a wrong key gets no further than rejectWrongKey.)
func (s *Server) hasKey(r *http.Request) bool {
	k := requestKey(r)
	return k != "" && s.rightKey(k)
}

// rightKey reports whether k is the server's API key.
func (s *Server) rightKey(k string) bool {
	return subtle.ConstantTimeCompare([]byte(k), []byte(s.apiKey)) == 1
}

// authorize answers 401 (no key) or 403 (wrong key) and returns false
// unless r carries the right API key.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	switch k := requestKey(r); {
	case k == "":
		writeError(w, http.StatusUnauthorized, "this request needs the API key (header X-Api-Key)")
		return false
	case !s.rightKey(k):
		writeError(w, http.StatusForbidden, errWrongKey)
		return false
	}
	return true
}

// errWrongKey is the message of the 403 answer to a wrong key.
const errWrongKey = "wrong API key"

// rejectWrongKey wraps the server's routes with the first part of the
// API key rule. A request carries the key in the header X-Api-Key (or
// Authorization: Bearer); the rule is the same for every endpoint:
//
//   - A request that carries a key other than the server's is answered 403
//     with a JSON error, whatever its method and endpoint, before it is
//     routed: a wrong key is never treated as no key (a client with a
//     stale key learns it at once, instead of getting, say, the anonymous
//     view of GET /api/settings). The only exception is the routes of a
//     plugin that checks access itself ([server.BlueprintUnprotected]),
//     which get every request as it was sent.
//   - A request that changes something (any method but GET, HEAD and
//     OPTIONS) needs the key: without one it is answered 401 (see
//     authorize and needsKey).
//   - A request without a key that only reads gets what anybody may see:
//     GET /api/settings leaves out the restricted settings (hasKey).
func (s *Server) rejectWrongKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := requestKey(r); k != "" && !s.rightKey(k) && !s.routes.checksAccessItself(r.URL.Path) {
			writeError(w, http.StatusForbidden, errWrongKey)
			return
		}
		next.ServeHTTP(w, r)
	})
}

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
