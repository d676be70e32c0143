package install

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Downloads that fail are errors of the download step (or of the
// request, for what the operator gave), with nothing left behind.
func TestDownloadFailures(t *testing.T) {
	data := zipOf(t, append(helloEntries(t, "hello", "1.0.0"), entry{name: "hello/noise.txt", body: noise(4000)})...)
	if len(data) <= 1000 {
		t.Fatalf("the archive has %d bytes, not more than the limit", len(data))
	}
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big.zip": // says its length
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			_, _ = w.Write(data)
		case "/chunked.zip": // does not
			for i := 0; i < len(data); i += 100 {
				_, _ = w.Write(data[i:min(i+100, len(data))])
				w.(http.Flusher).Flush()
			}
		case "/slow.zip":
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		case "/ftp.zip":
			http.Redirect(w, r, "ftp://example.com/hello.zip", http.StatusFound)
		case "/file.zip":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/fail.zip":
			http.Error(w, "broken", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	defer close(stop)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	cases := []struct {
		name  string
		url   string
		ctx   context.Context
		step  Step
		kinds []error
		msg   string
	}{
		{"too large by Content-Length", srv.URL + "/big.zip", nil, StepDownload, []error{ErrLimit}, "more than the download limit of 1000"},
		{"too large, chunked", srv.URL + "/chunked.zip", nil, StepDownload, []error{ErrLimit}, "more than the download limit of 1000 bytes"},
		{"timeout", srv.URL + "/slow.zip", nil, StepDownload, []error{ErrDownload, context.DeadlineExceeded}, "no complete answer within 100ms"},
		{"404", srv.URL + "/missing.zip", nil, StepDownload, []error{ErrDownload}, "answered 404 Not Found"},
		{"500", srv.URL + "/fail.zip", nil, StepDownload, []error{ErrDownload}, "answered 500 Internal Server Error"},
		{"redirect to ftp", srv.URL + "/ftp.zip", nil, StepDownload, []error{ErrDownload}, "redirect to ftp://example.com/hello.zip refused"},
		{"redirect to file", srv.URL + "/file.zip", nil, StepDownload, []error{ErrDownload}, "redirect to file:///etc/passwd refused"},
		{"unreachable", closed.URL + "/hello.zip", nil, StepDownload, []error{ErrDownload}, "connect"},
		{"cancelled", srv.URL + "/big.zip", cancelled, StepDownload, []error{context.Canceled}, ""},
		{"file scheme", "file:///etc/passwd", nil, StepDownload, []error{ErrInvalid}, "not an http or https URL"},
		{"no host", "http:///x.zip", nil, StepDownload, []error{ErrInvalid}, "not an http or https URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Limits: Limits{Download: 1000}}
			if tc.name == "timeout" {
				opts.Timeout = 100 * time.Millisecond // the others take the default: no timeout on a slow machine
			}
			in, _ := newInstaller(t, opts)
			before := snapshot(t, in.opts.BaseDir)
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			_, err := in.Install(ctx, Source{URL: tc.url}, Mode{})
			var ie *Error
			if !errors.As(err, &ie) || ie.Step != tc.step || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want a %s error saying %q", err, tc.step, tc.msg)
			}
			for _, k := range tc.kinds {
				if !errors.Is(err, k) {
					t.Errorf("error %v does not match %v", err, k)
				}
			}
			sameTree(t, in.opts.BaseDir, before, "after a failed download")
		})
	}
}

// The URL in messages and the log has no password.
func TestDownloadRedactsPassword(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	in, logs := newInstaller(t, Options{})
	url := strings.Replace(srv.URL, "http://", "http://ada:s3cret@", 1) + "/x.zip"
	_, err := in.Install(context.Background(), Source{URL: url}, Mode{})
	if err == nil || strings.Contains(err.Error()+logs.String(), "s3cret") {
		t.Errorf("error %v or log %q shows the password", err, logs)
	}
}
