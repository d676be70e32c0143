package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// inputFile is the name, in a transaction folder, of the file an install
// starts from: the downloaded or copied file.
const inputFile = "input"

// input is the file an install starts from, in staging.
type input struct {
	path string // the file, in the transaction folder
	name string // its original name, whose extension says its type
	size int64
	sum  string // its SHA-256, hex
}

// download downloads the http(s) URL raw into the transaction folder,
// within the size limit and the timeout, reporting progress.
func (in *Installer) download(ctx context.Context, t *txn, raw string) (*input, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fail(ErrInvalid, "%q is not an http or https URL", raw)
	}
	shown := u.Redacted()
	in.logf("Downloading %s", shown)
	if err := hit(fpDownload); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, in.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(ErrInvalid, "%s: %w", shown, err)
	}
	resp, err := in.client.Do(req)
	if err != nil {
		return nil, in.downloadError(ctx, shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fail(ErrDownload, "%s answered %s", shown, resp.Status)
	}
	limit := in.opts.Limits.Download
	if resp.ContentLength > limit {
		return nil, fail(ErrLimit, "%s is %d bytes, more than the download limit of %d", shown, resp.ContentLength, limit)
	}
	name := responseName(resp, u)
	p := progress{total: resp.ContentLength, report: in.opts.Progress, first: fpDownloadBody}
	res, err := save(filepath.Join(t.dir, inputFile), resp.Body, limit, &p)
	if err != nil {
		if errors.Is(err, ErrLimit) {
			return nil, fail(ErrLimit, "%s is more than the download limit of %d bytes", shown, limit)
		}
		return nil, in.downloadError(ctx, shown, err)
	}
	res.name = name
	return res, nil
}

// downloadError describes a failed request or body read: a timeout as
// such (matching context.DeadlineExceeded), a cancelled ctx as ctx's
// error, anything else as ErrDownload.
func (in *Installer) downloadError(ctx context.Context, shown string, err error) error {
	var ke *kindError
	switch {
	case errors.As(err, &ke):
		return err // ours: a refused redirect
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fail(ErrDownload, "%s: no complete answer within %s: %w", shown, in.opts.Timeout, context.DeadlineExceeded)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fail(ErrDownload, "%w", err)
}

// newClient returns a copy of c (default: a new client), refusing redirects to schemes
// other than http and https.
func newClient(c *http.Client) *http.Client {
	var cl http.Client
	if c != nil {
		cl = *c
	}
	next := cl.CheckRedirect
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fail(ErrDownload, "redirect to %s refused: only http and https are downloaded", req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return fail(ErrDownload, "stopped after 10 redirects")
		}
		return nil
	}
	return &cl
}

// responseName is the file name of a download: the Content-Disposition
// filename, else the last element of the final URL's path, else of the
// URL asked for.
func responseName(resp *http.Response, asked *url.URL) string {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		if name := filepath.Base(filepath.FromSlash(params["filename"])); validName(name) {
			return name
		}
	}
	if resp.Request != nil && resp.Request.URL != nil {
		if name := path.Base(resp.Request.URL.Path); validName(name) && formatOf(name) != formatUnknown {
			return name
		}
	}
	return path.Base(asked.Path)
}

func validName(name string) bool { return name != "" && name != "." && name != "/" && name != ".." }

// copyIn copies the local file src into the transaction folder, within
// the download limit; name is its original name, default its own.
func (in *Installer) copyIn(t *txn, src, name string) (*input, error) {
	if err := hit(fpCopy); err != nil {
		return nil, err
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	limit := in.opts.Limits.Download
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if fi.Size() > limit {
		return nil, fail(ErrLimit, "%s is %d bytes, more than the limit of %d", src, fi.Size(), limit)
	}
	res, err := save(filepath.Join(t.dir, inputFile), f, limit, &progress{})
	if err != nil {
		return nil, err
	}
	res.name = name
	if name == "" {
		res.name = filepath.Base(src)
	}
	return res, nil
}

// save writes what r gives into the new file dst, at most limit bytes
// (more is ErrLimit), computing its SHA-256.
func save(dst string, r io.Reader, limit int64, p *progress) (*input, error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	p.sum = sha256.New()
	p.w = f
	n, err := io.Copy(p, io.LimitReader(r, limit+1))
	if err = errors.Join(err, f.Close()); err != nil {
		return nil, err
	}
	if n > limit {
		return nil, ErrLimit
	}
	p.done = n
	p.reportNow()
	return &input{path: dst, size: n, sum: hex.EncodeToString(p.sum.Sum(nil))}, nil
}

// progress is a writer that hashes what it writes and reports progress,
// at most every progressEvery.
type progress struct {
	w      io.Writer
	sum    hash.Hash
	total  int64
	done   int64
	report func(done, total int64)
	first  string // the failpoint hit at the first write
	last   time.Time
}

const progressEvery = 100 * time.Millisecond

func (p *progress) Write(b []byte) (int, error) {
	if p.done == 0 && p.first != "" {
		if err := hit(p.first); err != nil {
			return 0, err
		}
	}
	n, err := p.w.Write(b)
	p.sum.Write(b[:n])
	p.done += int64(n)
	if p.report != nil && time.Since(p.last) >= progressEvery {
		p.reportNow()
	}
	return n, err
}

func (p *progress) reportNow() {
	if p.report != nil {
		p.last = time.Now()
		p.report(p.done, p.total)
	}
}

// verify compares the input's SHA-256 with want (hex, any case).
func verify(in *input, want string) error {
	if err := hit(fpVerify); err != nil {
		return err
	}
	if got := in.sum; !strings.EqualFold(got, want) {
		return fail(ErrChecksum, "%s has SHA-256 %s, expected %s", in.name, got, want)
	}
	return nil
}

// validSHA256 checks that s is a SHA-256 in hex.
func validSHA256(s string) error {
	if b, err := hex.DecodeString(s); err != nil || len(b) != sha256.Size {
		return fail(ErrInvalid, "SHA-256 %q is not 64 hex digits", s)
	}
	return nil
}

// describe names a source in messages while its plugin is not known.
func describe(src Source) string {
	switch {
	case src.URL != "":
		if u, err := url.Parse(src.URL); err == nil {
			return u.Redacted()
		}
		return src.URL
	case src.Name != "":
		return src.Name
	}
	return src.Path
}
