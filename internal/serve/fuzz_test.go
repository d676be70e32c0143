package serve_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/settings"
)

// FuzzPostSettings sends arbitrary bodies to POST /api/settings of a
// running server (with demo, whose settings have defaults, restrictions
// and a validator), and checks after each:
//
//   - the answer is 200, 400, 404 or 413 (never a 500: a body is either
//     taken or refused), as JSON, with a message when refused;
//   - GET /api/settings answers 200 with and without the key;
//   - a refused body changed nothing: config.yaml and the settings are as
//     they were (a request is applied whole or not at all);
//   - a taken body is stored: every value it set reads back equal (as
//     JSON numbers), the answer is what GET answers, and config.yaml
//     parses with nothing left out.
//
// Each input starts from demo's defaults. It runs over its corpus in
// testdata/fuzz/FuzzPostSettings with go test; search for new inputs with
// go test -run XXX -fuzz FuzzPostSettings -fuzztime 60s ./internal/serve.
func FuzzPostSettings(f *testing.F) {
	h := start(f, setup{})
	handler, store, config := h.srv.Handler(), h.srv.Settings(), h.path("config.yaml")
	serve := func(method, key, body string) (int, []byte) {
		req := httptest.NewRequest(method, "/api/settings", strings.NewReader(body))
		req.Host = "localhost" // the server answers only to names it knows
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("X-Api-Key", key)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// Back to the defaults.
		if err := store.Remove("plugins.demo"); err != nil {
			t.Fatal(err)
		}
		if err := store.Save(); err != nil {
			t.Fatal(err)
		}
		before, err := os.ReadFile(config)
		if err != nil {
			t.Fatal(err)
		}
		_, viewBefore := serve("GET", h.key, "")

		status, answer := serve("POST", h.key, string(body))
		switch status {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d: %s", status, answer)
		}
		var decoded map[string]any
		if err := json.Unmarshal(answer, &decoded); err != nil {
			t.Fatalf("the answer is not JSON (%v): %s", err, answer)
		}
		for _, key := range []string{"", h.key} {
			if code, view := serve("GET", key, ""); code != http.StatusOK || !json.Valid(view) {
				t.Fatalf("GET /api/settings (key %q) after the POST: %d %s", key, code, view)
			}
		}
		_, viewAfter := serve("GET", h.key, "")
		if status != http.StatusOK {
			if msg, _ := decoded["error"].(string); msg == "" {
				t.Fatalf("a refusal without a message: %s", answer)
			}
			after, err := os.ReadFile(config)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatalf("a refused request changed config.yaml:\n%s", after)
			}
			if !bytes.Equal(viewBefore, viewAfter) {
				t.Fatalf("a refused request changed the settings:\n%s\n---\n%s", viewBefore, viewAfter)
			}
			return
		}
		if !bytes.Equal(answer, viewAfter) {
			t.Fatalf("the answer is not what GET answers:\n%s\n---\n%s", answer, viewAfter)
		}
		reopened, err := settings.Open(config, nil)
		if err != nil || len(reopened.Ignored()) > 0 {
			t.Fatalf("config.yaml after the POST: %v, ignored %+v", err, reopened.Ignored())
		}
		// Every value set reads back.
		var req struct {
			Plugins map[string]map[string]any `json:"plugins"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("a taken body does not decode: %v", err)
		}
		var got struct {
			Plugins map[string]map[string]any `json:"plugins"`
		}
		if err := json.Unmarshal(viewAfter, &got); err != nil {
			t.Fatal(err)
		}
		for id, change := range req.Plugins {
			leaves(change, "", func(path string, want any) {
				v, ok := dig(got.Plugins[id], path)
				if !ok || !cmp.Equal(want, v) {
					t.Fatalf("plugin %s: %s reads %#v (found %v), want %#v", id, path, v, ok, want)
				}
			})
		}
	})
}

// leaves calls fn for every value of m that is not null and not a map
// holding something (a change stores those), with its dotted path.
func leaves(m map[string]any, prefix string, fn func(path string, v any)) {
	for k, v := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		switch v := v.(type) {
		case nil:
		case map[string]any:
			if len(v) > 0 {
				leaves(v, p, fn)
			}
		default:
			fn(p, v)
		}
	}
}
