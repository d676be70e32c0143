package settings

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		path    string
		want    []string
		wantErr bool
	}{
		{path: "", want: nil},
		{path: "a", want: []string{"a"}},
		{path: "a.b.c", want: []string{"a", "b", "c"}},
		{path: "with space.x", want: []string{"with space", "x"}},
		{path: "a..b", wantErr: true},
		{path: ".a", wantErr: true},
		{path: "a.", wantErr: true},
		{path: ".", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parsePath(tt.path)
		if (err != nil) != tt.wantErr {
			t.Errorf("parsePath(%q) error = %v, want error %v", tt.path, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parsePath(%q) mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestDeleteInPrunesEmptyParents(t *testing.T) {
	tests := []struct {
		name    string
		tree    map[string]any
		keys    []string
		want    map[string]any
		removed bool
	}{
		{
			name:    "prunes the whole chain",
			tree:    map[string]any{"a": map[string]any{"b": map[string]any{"c": 1}}},
			keys:    []string{"a", "b", "c"},
			want:    map[string]any{},
			removed: true,
		},
		{
			name:    "stops at a parent with other keys",
			tree:    map[string]any{"a": map[string]any{"x": 1, "b": map[string]any{"c": 1}}},
			keys:    []string{"a", "b", "c"},
			want:    map[string]any{"a": map[string]any{"x": 1}},
			removed: true,
		},
		{
			name:    "absent key leaves empty maps alone",
			tree:    map[string]any{"a": map[string]any{}},
			keys:    []string{"a", "b"},
			want:    map[string]any{"a": map[string]any{}},
			removed: false,
		},
		{
			name:    "through a scalar",
			tree:    map[string]any{"a": 1},
			keys:    []string{"a", "b"},
			want:    map[string]any{"a": 1},
			removed: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deleteIn(tt.tree, tt.keys); got != tt.removed {
				t.Errorf("deleteIn = %v, want %v", got, tt.removed)
			}
			if diff := cmp.Diff(tt.want, tt.tree); diff != "" {
				t.Errorf("tree mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStoreInReplacesNonMapIntermediates(t *testing.T) {
	tree := map[string]any{"a": 1, "x": map[string]any{"y": 2}}
	storeIn(tree, []string{"a", "b", "c"}, "v")
	storeIn(tree, []string{"x", "z"}, 3)
	want := map[string]any{
		"a": map[string]any{"b": map[string]any{"c": "v"}},
		"x": map[string]any{"y": 2, "z": 3},
	}
	if diff := cmp.Diff(want, tree); diff != "" {
		t.Errorf("tree mismatch (-want +got):\n%s", diff)
	}
}
