package install

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FuzzUnpack unpacks any bytes as a zip, a gzipped tar and a tar archive:
// it never creates anything outside the destination nor anything but
// files (0644 or 0755) and folders (0755), and either fails leaving
// nothing or stays within the limits. The seeds, in
// testdata/fuzz/FuzzUnpack, are valid, hostile and broken archives.
func FuzzUnpack(f *testing.F) {
	lim := Limits{Download: 1 << 20, Unpacked: 256 << 10, Files: 64, Ratio: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		root := filepath.Join(t.TempDir(), "a", "b")
		input := writeFile(t, root, "input", data)
		for _, format := range []format{formatZip, formatTarGz, formatTar} {
			dest := filepath.Join(root, "dest")
			n, err := unpack(context.Background(), input, format, dest, lim)
			des, rerr := os.ReadDir(root)
			if rerr != nil {
				t.Fatal(rerr)
			}
			want := 2 // the input and dest
			if err != nil {
				want = 1
			}
			if len(des) != want {
				t.Fatalf("%s: error %v, and %d entries beside the destination: %v", format, err, len(des)-1, des)
			}
			if err != nil {
				continue
			}
			if n > lim.Files {
				t.Errorf("%s: %d entries, more than %d", format, n, lim.Files)
			}
			var total int64
			walkErr := filepath.WalkDir(dest, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				fi, err := os.Lstat(path)
				if err != nil {
					return err
				}
				switch m := fi.Mode(); {
				case m.IsDir() && m.Perm() == 0o755:
				case m.IsRegular() && (m.Perm() == 0o644 || m.Perm() == 0o755):
					total += fi.Size()
				default:
					t.Errorf("%s: %s has mode %v", format, path, m)
				}
				return nil
			})
			if walkErr != nil {
				t.Fatal(walkErr)
			}
			if total > lim.Unpacked || total > int64(len(data))*int64(lim.Ratio) {
				t.Errorf("%s: unpacked %d bytes from %d", format, total, len(data))
			}
			if err := os.RemoveAll(dest); err != nil {
				t.Fatal(err)
			}
		}
	})
}
