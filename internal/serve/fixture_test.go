package serve_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/serve"
)

// Fixtures are JSON answers under testdata/socket, compared field by
// field; placeholders (testdata/socket/README.md) stand for the values
// that change from run to run.

// placeholders match the values a fixture leaves open.
var placeholders = map[string]func(v any) bool{
	"<server-version>": func(v any) bool { return v == serve.Version },
	"<go-version>":     matches(`^go1\.\d+`),
	"<hex16>":          matches(`^[0-9a-f]{16}$`),
	"<hex32>":          matches(`^[0-9a-f]{32}$`),
	"<hex64>":          matches(`^[0-9a-f]{64}$`),
	"<number>":         func(v any) bool { _, ok := v.(float64); return ok },
	"<url>":            matches(`^http://[^/]+/`),
	"<utc-seconds>": func(v any) bool {
		s, _ := v.(string)
		_, err := time.Parse("2006-01-02T15:04:05+00:00", s)
		return err == nil
	},
}

func matches(pattern string) func(v any) bool {
	re := regexp.MustCompile(pattern)
	return func(v any) bool {
		s, ok := v.(string)
		return ok && re.MatchString(s)
	}
}

// fixture reads testdata/socket/<name>.json, or testdata/<name>.json for
// a name with a folder ("printer/job").
func fixture(t *testing.T, name string) any {
	t.Helper()
	file := filepath.Join("testdata", "socket", name+".json")
	if strings.Contains(name, "/") {
		file = filepath.Join("testdata", filepath.FromSlash(name)+".json")
	}
	var v any
	if err := json.Unmarshal(readFile(t, file), &v); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return v
}

// checkFixture compares got (a decoded JSON value, or JSON bytes) with the
// fixture name, reporting every difference.
func checkFixture(t *testing.T, name string, got any) {
	t.Helper()
	if b, ok := got.([]byte); ok {
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: the answer is not JSON: %v: %s", name, err, b)
		}
	}
	diffs := diffShape("", fixture(t, name), got)
	for _, d := range diffs {
		t.Errorf("%s: %s", name, d)
	}
	if len(diffs) > 0 {
		b, _ := json.MarshalIndent(got, "", "  ")
		t.Logf("%s: got\n%s", name, b)
	}
}

// diffShape lists where got differs from want.
func diffShape(path string, want, got any) []string {
	at := path
	if at == "" {
		at = "the top"
	}
	switch w := want.(type) {
	case string:
		if check, ok := placeholders[w]; ok {
			if !check(got) {
				return []string{fmt.Sprintf("%s: %#v does not match %s", at, got, w)}
			}
			return nil
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %#v, want an object", at, got)}
		}
		var out []string
		for _, k := range sortedKeys(w) {
			if gv, ok := g[k]; !ok {
				out = append(out, fmt.Sprintf("%s: no key %q", at, k))
			} else {
				out = append(out, diffShape(strings.TrimPrefix(path+"."+k, "."), w[k], gv)...)
			}
		}
		for _, k := range sortedKeys(g) {
			if _, ok := w[k]; !ok {
				out = append(out, fmt.Sprintf("%s: unexpected key %q (%#v)", at, k, g[k]))
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %#v, want %d elements", at, got, len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, diffShape(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	if fmt.Sprintf("%#v", want) != fmt.Sprintf("%#v", got) {
		return []string{fmt.Sprintf("%s: %#v, want %#v", at, got, want)}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
