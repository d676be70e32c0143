package serve_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzLogin sends arbitrary bodies to POST /api/login of a running server
// with a user, and checks that each is answered 200, 400, 403, 413, 415
// or 429 (never a 500) with a JSON object, that a session cookie comes
// only with a 200 that names a user, and that no answer holds the API
// key. Run new inputs with go test -run XXX -fuzz FuzzLogin ./internal/serve.
func FuzzLogin(f *testing.F) {
	h := start(f, setup{dir: usersDir(f)})
	for _, seed := range []string{
		`{"user": "ada", "pass": "correct horse", "remember": true}`,
		`{"user": "", "pass": "` + h.key + `"}`,
		`{"passive": true}`,
		`{"user": 1, "pass": {}}`,
		`{"user": "ada", "pass": "x", "passive": true}`,
		`[`, `null`, `{"user": "ada", "pass": "` + strings.Repeat("é", 600) + `"}`,
	} {
		f.Add(seed)
	}
	handler := h.srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
		req.Host = "localhost"
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 403, 413, 415, 429:
		default:
			t.Fatalf("%q: status %d: %s", body, rec.Code, rec.Body)
		}
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%q: answer %s is not a JSON object: %v", body, rec.Body, err)
		}
		if strings.Contains(rec.Body.String(), h.key) {
			t.Fatalf("%q: the answer holds the API key: %s", body, rec.Body)
		}
		cookie := strings.Join(rec.Header().Values("Set-Cookie"), ";")
		if strings.Contains(cookie, "session_P") && (rec.Code != 200 || v["name"] == nil) {
			t.Fatalf("%q: %d %s set a session cookie", body, rec.Code, rec.Body)
		}
	})
}
