package main

import (
	"errors"
	"strings"
	"testing"
)

// renderNames renders a region as "generated NAME", and fails on "bad".
func renderNames(name string) (string, error) {
	if name == "bad" {
		return "", errors.New("no table \"bad\"")
	}
	return "generated " + name + "\n", nil
}

func TestRewrite(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		only     string
		out      string
	}{
		{
			name: "regions replaced, prose kept",
			in:   "# Page\n\n<!-- bench:table a -->\nold\n<!-- bench:end -->\nmiddle\n<!-- bench:table b -->\n<!-- bench:end -->\nend\n",
			want: []string{"a", "b"},
			out:  "# Page\n\n<!-- bench:table a -->\n\ngenerated a\n\n<!-- bench:end -->\nmiddle\n<!-- bench:table b -->\n\ngenerated b\n\n<!-- bench:end -->\nend\n",
		},
		{
			name: "only one region",
			in:   "<!-- bench:table a -->\nold a\n<!-- bench:end -->\n<!-- bench:table b -->\nold b\n<!-- bench:end -->",
			want: []string{"a", "b"},
			only: "b",
			out:  "<!-- bench:table a -->\nold a\n<!-- bench:end -->\n<!-- bench:table b -->\n\ngenerated b\n\n<!-- bench:end -->",
		},
		{
			name: "a page without regions",
			in:   "just prose\n",
			out:  "just prose\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rewrite(tc.in, tc.want, tc.only, renderNames)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.out {
				t.Errorf("got\n%s\nwant\n%s", got, tc.out)
			}
			again, err := rewrite(got, tc.want, tc.only, renderNames)
			if err != nil || again != got {
				t.Errorf("not idempotent: second rewrite %v\n%s", err, again)
			}
		})
	}
}

func TestRewriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		only     string
		err      string
	}{
		{"unknown region", "<!-- bench:table bad -->\n<!-- bench:end -->\n", nil, "", `region "bad" (line 1): no table "bad"`},
		{"unterminated", "x\n<!-- bench:table a -->\nold\n", []string{"a"}, "", `line 2: region "a" has no <!-- bench:end -->`},
		{"nested", "<!-- bench:table a -->\n<!-- bench:table b -->\n<!-- bench:end -->\n", nil, "", `line 2: region "b" begins inside region "a"`},
		{"end without begin", "<!-- bench:end -->\n", nil, "", "line 1: <!-- bench:end --> without a region"},
		{"twice", "<!-- bench:table a -->\n<!-- bench:end -->\n<!-- bench:table a -->\n<!-- bench:end -->\n", nil, "", `line 3: region "a" again (first at line 1)`},
		{"misspelt", "<!-- bench:tabel a -->\n", nil, "", `line 1: "<!-- bench:tabel a -->" is not a marker`},
		{"missing region", "<!-- bench:table a -->\n<!-- bench:end -->\n", []string{"a", "b"}, "", `the page has no region "b"`},
		{"missing only", "<!-- bench:table a -->\n<!-- bench:end -->\n", []string{"a"}, "c", `the page has no region "c"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rewrite(tc.in, tc.want, tc.only, renderNames)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("rewrite = %v, want an error with %q", err, tc.err)
			}
			if got != "" {
				t.Errorf("rewrite returned a page with its error:\n%s", got)
			}
		})
	}
}
