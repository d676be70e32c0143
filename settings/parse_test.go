package settings

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestParseErrorLines(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"mapping value", "a: 1\nb: 2\nc: d: e\n", 3, "mapping values are not allowed in this context"},
		{"mapping value on line 1", "a: b: c\nd: 1\n", 1, "mapping values are not allowed in this context"},
		{"missing colon", "a: 1\nb: 2\nc 2\nd: 3\n", 3, "could not find expected ':'"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", 3, "did not find expected key"},
		{"list in mapping", "a: 1\nb: 2\n- c\n", 3, "did not find expected key"},
		{"unclosed flow", "server:\n  port: 5000\n  host: [\n", 3, "did not find expected node content"},
		{"unterminated quote", "a: 1\nb: \"x\nc: 2\n", 2, "found unexpected end of stream"},
		{"tab", "a: 1\nb: 2\n\tc: 3\n", 3, "found a tab character that violates indentation"},
		{"tab on line 1", "\ta: 1\n", 1, "found character that cannot start any token"},
		{"unknown anchor", "a: 1\nb: *x\n", 2, "unknown anchor 'x' referenced"},
		{"bad float", "a: 1\nb: 2\nc: !!float 'e'\n", 3, "cannot decode !!str `e` as a !!float"},
		{"duplicate key", "a: 1\nb: 1\nb: 2\n", 3, `mapping key "b" already defined at line 2`},
		{"no trailing newline", "a: 1\nb: 2\nc: *x", 3, "unknown anchor 'x' referenced"},
		{"top-level list", "- a\n- b\n", 1, "top level is not a mapping"},
		{"top-level scalar", "just text\n", 1, "top level is not a mapping"},
		{"top-level list after comments", "# header\n\n- a\n", 3, "top level is not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "config.yaml", tt.content)
			s, err := Open(path, map[string]any{"default": 1})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Open error = %v, want *ParseError", err)
			}
			if pe.Path != path || pe.Line != tt.line || pe.Err.Error() != tt.msg {
				t.Errorf("ParseError = {%q, %d, %q}, want {%q, %d, %q}", pe.Path, pe.Line, pe.Err, path, tt.line, tt.msg)
			}
			if want := path + ":" + strconv.Itoa(tt.line) + ": " + tt.msg; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if msg := pe.Err.Error(); strings.HasPrefix(msg, "yaml:") || strings.HasPrefix(msg, "line ") {
				t.Errorf("message %q repeats yaml's prefixes", msg)
			}
			if s == nil {
				t.Fatal("Open returned no store with the parse error")
			}
			if got := s.GetInt("default"); got != 1 {
				t.Errorf("read-only store does not serve defaults: %d", got)
			}
		})
	}
}

func TestParseErrorFormat(t *testing.T) {
	inner := errors.New("boom")
	tests := []struct {
		err  *ParseError
		want string
	}{
		{&ParseError{Path: "/c.yaml", Line: 7, Err: inner}, "/c.yaml:7: boom"},
		{&ParseError{Path: "/c.yaml", Err: inner}, "/c.yaml: boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, inner) {
			t.Error("ParseError does not unwrap to its Err")
		}
	}
}

func TestParseErrorUnwrapsYAMLTypeError(t *testing.T) {
	path := writeFile(t, t.TempDir(), "c.yaml", "a: 1\na: 2\nb: 1\nb: 2\n")
	_, err := Open(path, nil)
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		t.Fatalf("error %v does not unwrap to *yaml.TypeError", err)
	}
	if want := path + `:2: mapping key "a" already defined at line 1 (and 1 more)`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestSplitYAMLError(t *testing.T) {
	tests := []struct {
		err  error
		line int
		msg  string
	}{
		{errors.New("yaml: line 3: mapping values are not allowed in this context"), 3, "mapping values are not allowed in this context"},
		{errors.New("yaml: unknown anchor 'x' referenced"), 0, "unknown anchor 'x' referenced"},
		{errors.New("something else"), 0, "something else"},
	}
	for _, tt := range tests {
		line, msg, _ := splitYAMLError(tt.err)
		if line != tt.line || msg != tt.msg {
			t.Errorf("splitYAMLError(%q) = %d, %q; want %d, %q", tt.err, line, msg, tt.line, tt.msg)
		}
	}
}

func TestReadOnlyStoreNeverWrites(t *testing.T) {
	broken := map[string]string{
		"syntax":    "server:\n  port: 5000\n  host: [\n",
		"list":      "- a\n- b\n",
		"duplicate": "a: 1\na: 2\n",
	}
	for name, content := range broken {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "config.yaml", content)
			before, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			s, openErr := Open(path, map[string]any{"a": 0})
			if openErr == nil {
				t.Fatal("Open succeeded")
			}
			ps := s.Plugin("p")
			attempts := map[string]error{
				"Set":          s.Set("a", 5),
				"Set invalid":  s.Set("a..b", 5),
				"Set root":     s.Set("", map[string]any{}),
				"Remove":       s.Remove("a"),
				"Remove root":  s.Remove(""),
				"Save":         s.Save(),
				"plugin Set":   ps.Set("x", 1),
				"plugin Rm":    ps.Remove("x"),
				"plugin Save":  ps.Save(),
				"plugin GSet":  ps.GlobalSet("a", 1),
				"plugin badRm": ps.Remove("x..y"),
			}
			for op, err := range attempts {
				if !errors.Is(err, ErrReadOnly) {
					t.Errorf("%s error = %v, want ErrReadOnly", op, err)
					continue
				}
				var pe *ParseError
				if !errors.As(err, &pe) || pe != openErr {
					t.Errorf("%s error %v does not wrap the parse error", op, err)
				}
				if !strings.Contains(err.Error(), openErr.Error()) {
					t.Errorf("%s error %q does not mention %q", op, err, openErr)
				}
			}
			if got := readFile(t, path); got != content {
				t.Errorf("file changed: %q", got)
			}
			after, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !after.ModTime().Equal(before.ModTime()) {
				t.Error("file was rewritten")
			}
			if names := dirEntries(t, dir); !cmp.Equal(names, []string{"config.yaml"}) {
				t.Errorf("directory holds %v", names)
			}
			if s.Dirty() || len(s.UserData()) != 0 || s.GetInt("a") != 0 {
				t.Error("read-only store changed")
			}
			// Overlays and defaults still work: they are not written.
			s.AddOverlay("o", map[string]any{"a": 3})
			if s.GetInt("a") != 3 {
				t.Error("overlay ignored by read-only store")
			}
		})
	}
}

func TestOpenReadsValues(t *testing.T) {
	content := `# settings
1: one
true: yes-key
when: 2001-12-14
big: 18446744073709551615
base: &b {x: 1}
derived:
  <<: *b
  y: 2
list: [1, 2.5, "s", null]
nested:
  2: two
empty: {}
`
	path := writeFile(t, t.TempDir(), "config.yaml", content)
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"1":       "one",
		"true":    "yes-key",
		"when":    "2001-12-14",
		"base":    map[string]any{"x": 1},
		"derived": map[string]any{"x": 1, "y": 2},
		"list":    []any{1, 2.5, "s", nil},
		"nested":  map[string]any{"2": "two"},
		"empty":   map[string]any{},
	}
	if diff := cmp.Diff(want, s.UserData()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if s.Dirty() {
		t.Error("freshly opened store is dirty")
	}
	// An integer beyond the range settings keep is left out, and reported.
	ignored := s.Ignored()
	if len(ignored) != 1 || ignored[0].Path != "big" || ignored[0].Line != 5 || !strings.Contains(ignored[0].Reason, "18446744073709551615") {
		t.Errorf("Ignored() = %+v, want big at line 5", ignored)
	}
}

func TestOpenEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		"empty.yaml":    "",
		"comments.yaml": "# nothing here\n\n",
		"null.yaml":     "~\n",
		"braces.yaml":   "{}\n",
	}
	for name, content := range tests {
		path := writeFile(t, dir, name, content)
		s, err := Open(path, map[string]any{"d": 1})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(s.UserData()) != 0 || s.GetInt("d") != 1 {
			t.Errorf("%s: user %v", name, s.UserData())
		}
	}
	s, err := Open(filepath.Join(dir, "missing", "config.yaml"), nil)
	if err != nil || s == nil {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(dir, nil); err == nil {
		t.Error("opening a directory succeeded")
	} else if errors.Is(err, ErrReadOnly) {
		t.Errorf("read error looks like a parse error: %v", err)
	}
}
