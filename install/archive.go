package install

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// unpack unpacks the archive at src, of format f, into dest, a folder it
// makes, and returns how many entries it had. On an error nothing is left
// of dest.
func unpack(ctx context.Context, src string, f format, dest string, lim Limits) (int, error) {
	return into(dest, lim, func(x *extractor) error {
		file, err := os.Open(src)
		if err != nil {
			return err
		}
		defer file.Close()
		fi, err := file.Stat()
		if err != nil {
			return err
		}
		x.packed = fi.Size()
		switch f {
		case formatZip:
			return unzip(ctx, file, fi.Size(), x)
		case formatTarGz:
			return untar(ctx, file, true, x)
		case formatTar:
			return untar(ctx, file, false, x)
		}
		return fmt.Errorf("unpack: %s is not an archive", f)
	})
}

// copyFolder copies the folder src (a link to one is followed), as an
// entry named name and its files below, into dest, a folder it makes, as
// unpack does an archive's entries: what is not a file or folder (a link)
// is refused, and the limits but the ratio apply. It returns how many
// entries it copied.
func copyFolder(ctx context.Context, src, name, dest string, lim Limits) (int, error) {
	src, err := filepath.EvalSymlinks(src)
	if err != nil {
		return 0, err
	}
	return into(dest, lim, func(x *extractor) error {
		return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := entryStep(ctx); err != nil {
				return err
			}
			rel, err := filepath.Rel(src, path)
			if err != nil {
				return err
			}
			entry := name + "/" + filepath.ToSlash(rel)
			switch {
			case d.IsDir():
				return x.dir(entry)
			case d.Type().IsRegular():
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				fi, err := f.Stat()
				if err != nil {
					return err
				}
				return x.file(entry, fi.Mode(), f)
			}
			return fail(ErrUnsafe, "%s is %s", path, describeType(d.Type()))
		})
	})
}

// into makes the folder dest and runs fill with an extractor into it;
// on an error it removes dest again.
func into(dest string, lim Limits, fill func(*extractor) error) (n int, err error) {
	if err := os.Mkdir(dest, 0o755); err != nil {
		return 0, err
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		os.Remove(dest)
		return 0, err
	}
	x := newExtractor(root, lim, 0)
	err = fill(x)
	if err == nil {
		err = hit(fpUnpackDone)
	}
	if cerr := root.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(dest)
		return 0, err
	}
	return x.entries, nil
}

// entryStep is called before each entry: a cancelled context or an
// injected failure stops the unpack.
func entryStep(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return hit(fpUnpackEntry)
}

// unzip extracts the zip archive r of size bytes. Entries are read from
// the central directory, the one a zip tool lists.
func unzip(ctx context.Context, r io.ReaderAt, size int64, x *extractor) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are refused below, one by one
		return fail(ErrInvalid, "not a valid zip archive: %w", err)
	}
	if len(zr.File) > x.lim.Files {
		return fail(ErrLimit, "more than %d entries", x.lim.Files)
	}
	for _, zf := range zr.File {
		if err := entryStep(ctx); err != nil {
			return err
		}
		mode := zf.Mode()
		switch {
		case mode.Type()&^fs.ModeDir != 0:
			return fail(ErrUnsafe, "entry %q is %s", zf.Name, describeType(mode))
		case mode.IsDir() || len(zf.Name) > 0 && zf.Name[len(zf.Name)-1] == '/':
			if err := x.dir(zf.Name); err != nil {
				return err
			}
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fail(ErrInvalid, "entry %q cannot be read: %w", zf.Name, err)
		}
		err = x.file(zf.Name, mode, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// untar extracts the tar archive r, gzipped when gz.
func untar(ctx context.Context, r io.Reader, gz bool, x *extractor) error {
	var zr *gzip.Reader
	if gz {
		var err error
		if zr, err = gzip.NewReader(bufio.NewReader(r)); err != nil {
			return fail(ErrInvalid, "not a valid gzip stream: %w", err)
		}
		r = zr
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) { // insecure names are refused below
			return fail(ErrInvalid, "not a valid tar archive: %w", err)
		}
		if err := entryStep(ctx); err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			err = x.file(hdr.Name, fs.FileMode(hdr.Mode&0o777), tr)
		case tar.TypeDir:
			err = x.dir(hdr.Name)
		case tar.TypeXGlobalHeader:
			continue // metadata for the whole archive (git archive writes one)
		case tar.TypeSymlink:
			err = fail(ErrUnsafe, "entry %q is a symbolic link (to %q)", hdr.Name, hdr.Linkname)
		case tar.TypeLink:
			err = fail(ErrUnsafe, "entry %q is a hard link (to %q)", hdr.Name, hdr.Linkname)
		case tar.TypeChar, tar.TypeBlock:
			err = fail(ErrUnsafe, "entry %q is a device file", hdr.Name)
		case tar.TypeFifo:
			err = fail(ErrUnsafe, "entry %q is a named pipe", hdr.Name)
		default:
			err = fail(ErrUnsafe, "entry %q is of tar type %q, not a file or folder", hdr.Name, hdr.Typeflag)
		}
		if err != nil {
			return err
		}
	}
	if zr == nil {
		return nil
	}
	// The rest of the stream, to its checksum: a corrupt end is an error
	// too. What follows the tar's end is bounded like the entries.
	budget := x.lim.Unpacked - x.written
	if x.packed > 0 {
		budget = min(budget, x.packed*int64(x.lim.Ratio)-x.written)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, max(budget, 0)+1))
	switch {
	case err != nil:
		return fail(ErrInvalid, "not a valid gzip stream: %w", err)
	case n > budget:
		return fail(ErrLimit, "more than the limits allow after the tar archive's end")
	}
	return nil
}
