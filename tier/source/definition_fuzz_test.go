package source

import (
	"go/format"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source/symbols"
)

// readDefinition reads, as a scan does, a plugin of one or two files: its
// metadata and declaration, or the error that makes it invalid, or that it
// is not a plugin (nil, nil, nil).
func readDefinition(srcs ...[]byte) (*tier.Metadata, *tier.Declaration, error) {
	paths := []string{"plugin.go", "more.go"}[:len(srcs)]
	p, err := parsePackage(paths, srcs)
	if err != nil {
		return nil, nil, err
	}
	def, err := findDefinition(p)
	if err != nil || def == nil {
		return nil, nil, err
	}
	d := declaration(p, def, []map[string]map[string]reflect.Value{symbols.Symbols})
	return &def.metadata, d, nil
}

// FuzzDefinition reads arbitrary Go source as a source plugin's files (one,
// or two when the second is not empty) the way a scan does, without running
// it: never a panic; an invalid plugin is an error with a message; a
// plugin's permissions are known ones, its declared hooks and methods
// sorted and without duplicates; reading is deterministic; and gofmt'ing
// the files changes nothing that is read from them.
//
// It runs over its corpus in testdata/fuzz/FuzzDefinition with go test;
// search for new inputs with
// go test -run XXX -fuzz FuzzDefinition -fuzztime 60s ./tier/source.
func FuzzDefinition(f *testing.F) {
	f.Fuzz(func(t *testing.T, a, b []byte) {
		srcs := [][]byte{a}
		if len(b) > 0 {
			srcs = append(srcs, b)
		}
		md, d, err := readDefinition(srcs...)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
		}
		if md != nil {
			for _, perm := range md.Permissions {
				if !slices.Contains(permissions, perm) {
					t.Fatalf("unknown permission %q taken", perm)
				}
			}
			if d == nil || d.Hooks == nil {
				t.Fatalf("a plugin without a declaration: %+v", d)
			}
			for name, list := range map[string][]string{"hooks": d.Hooks, "methods": d.Methods} {
				if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
					t.Fatalf("%s not sorted and unique: %q", name, list)
				}
			}
		}
		md2, d2, err2 := readDefinition(srcs...)
		if (err == nil) != (err2 == nil) || !cmp.Equal(md, md2) || !cmp.Equal(d, d2) {
			t.Fatalf("a second read differs: %v %+v %+v / %v %+v %+v", err, md, d, err2, md2, d2)
		}
		if err != nil {
			return
		}
		formatted := make([][]byte, len(srcs))
		for i, src := range srcs {
			out, ferr := format.Source(src)
			if ferr != nil {
				return // gofmt is stricter in places (a file that only parses)
			}
			formatted[i] = out
		}
		fmd, fd, ferr := readDefinition(formatted...)
		if ferr != nil || !cmp.Equal(md, fmd) || !cmp.Equal(d, fd) {
			t.Fatalf("gofmt changed what is read:\n%v %+v %+v\n%v %+v %+v\n%s", err, md, d, ferr, fmd, fd, formatted[0])
		}
	})
}
