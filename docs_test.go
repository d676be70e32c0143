package tentacle_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/source"
)

// The tests in this file keep the documentation honest: pages small enough
// to read, links that lead somewhere, no citations of files outside the
// repository, and a quickstart plugin that loads.

// maxPageSize is the size no page of the documentation may reach.
const maxPageSize = 40 * 1000

// docPages returns README.md and every docs/*.md.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no docs/*.md")
	}
	return append([]string{"README.md"}, pages...)
}

func readPage(t *testing.T, page string) string {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDocsPageSize(t *testing.T) {
	for _, page := range docPages(t) {
		if n := len(readPage(t, page)); n >= maxPageSize {
			t.Errorf("%s is %d bytes; split it (pages stay under %d)", page, n, maxPageSize)
		}
	}
}

// forbidden are citations of documents that are not in the repository:
// the documentation must stand alone.
var forbidden = regexp.MustCompile(`\bSPEC\b|\breference/|python-baseline|go-runtimes\.md`)

func TestDocsCiteNoOutsideFiles(t *testing.T) {
	for _, page := range docPages(t) {
		for i, line := range strings.Split(readPage(t, page), "\n") {
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, which is not in the repository", page, i+1, m)
			}
		}
	}
}

var (
	linkRE    = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)
	codeRE    = regexp.MustCompile("`[^`]*`")
	headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

// prose returns the lines of a Markdown page outside fenced code blocks,
// with inline code removed, keeping line numbers (code lines are empty).
func prose(text string) []string {
	lines := strings.Split(text, "\n")
	out := make([]string, len(lines))
	fenced := false
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out[i] = codeRE.ReplaceAllString(line, "")
		}
	}
	return out
}

// anchors returns the anchors GitHub gives the headings of a Markdown page.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	lines := strings.Split(text, "\n")
	fenced := false
	for _, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		m := headingRE.FindStringSubmatch(line)
		if fenced || m == nil {
			continue
		}
		base := slug(m[1])
		a := base
		for n := 1; out[a]; n++ {
			a = base + "-" + strconv.Itoa(n)
		}
		out[a] = true
	}
	return out
}

// slug is GitHub's heading anchor: link texts kept, lower case, everything
// but letters, digits, spaces, '-' and '_' dropped, spaces made '-'.
func slug(heading string) string {
	heading = linkRE.ReplaceAllStringFunc(heading, func(l string) string {
		return l[strings.Index(l, "[")+1 : strings.Index(l, "]")]
	})
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// TestDocsLinks checks every relative link of every page: its file or
// folder exists in the repository, and its anchor, if any, is a heading of
// the Markdown page it leads to.
func TestDocsLinks(t *testing.T) {
	pageAnchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := pageAnchors[path]; ok {
			return a
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		pageAnchors[path] = anchors(string(b))
		return pageAnchors[path]
	}
	for _, page := range docPages(t) {
		for i, line := range prose(readPage(t, page)) {
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				full := page
				if path != "" {
					full = filepath.Join(filepath.Dir(page), filepath.FromSlash(path))
					if _, err := os.Stat(full); err != nil {
						t.Errorf("%s:%d: link %q leads nowhere: %v", page, i+1, target, err)
						continue
					}
				}
				if anchor != "" && strings.HasSuffix(full, ".md") && !anchorsOf(full)[anchor] {
					t.Errorf("%s:%d: link %q: %s has no heading with anchor #%s", page, i+1, target, full, anchor)
				}
			}
		}
	}
}

// TestQuickstartPluginLints checks the quickstart's plugin as "tentacle
// plugins lint" does, with the server's mixins: it must load with nothing
// at all to report.
func TestQuickstartPluginLints(t *testing.T) {
	dir := filepath.Join("docs", "examples", "hello")
	r := source.Lint(context.Background(), dir, source.LintOptions{Mixins: server.Mixins()})
	if !r.OK() || len(r.Problems) != 0 {
		t.Fatalf("lint of %s: ok %v, problems %+v", dir, r.OK(), r.Problems)
	}
	if r.ID != "hello" || r.Name != "Hello" || len(r.Hooks) != 0 {
		t.Errorf("lint report %+v", r)
	}
}

// TestQuickstartShowsThePlugin checks that the code the quickstart shows is
// the plugin's code, as it is in docs/examples/hello.
func TestQuickstartShowsThePlugin(t *testing.T) {
	page := readPage(t, filepath.Join("docs", "quickstart.md"))
	start := strings.Index(page, "```go\n")
	if start < 0 {
		t.Fatal("docs/quickstart.md shows no Go code")
	}
	shown := page[start+len("```go\n"):]
	shown = shown[:strings.Index(shown, "```")]
	code := readPage(t, filepath.Join("docs", "examples", "hello", "hello.go"))
	if !strings.Contains(code, shown) {
		t.Errorf("the Go code docs/quickstart.md shows is not part of docs/examples/hello/hello.go; keep them the same")
	}
}
