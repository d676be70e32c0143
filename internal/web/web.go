// Package web is the tentacle server's web page: the Plugin Manager and
// what plugins contribute, served at / with no build step.
//
// The page is rendered on the server with html/template; fragments of it
// (the plugin list, the repository search, the orphans) are fetched again
// with htmx when something changes, which the page learns from the push
// socket. Commands (enable, install, uninstall, ...) go through the same
// JSON API as any client's, so the page has no write path of its own: what
// a script may do, the page may do, checked in one place. The only
// third-party file, htmx, is vendored under static/vendor by
// scripts/vendor-web at a pinned version with its licence.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/tentacle-go/tentacle/server/bundled"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Viewer is who looks at the page.
type Viewer struct {
	// Name is the signed-in user's name; "" for a guest.
	Name string
	// Admin: the viewer may manage plugins (the API key's rights).
	Admin bool
	// CSRF is the token the page sends with every write (header
	// X-CSRF-Token); "" when the viewer's writes need none.
	CSRF string
}

// Options configure the page.
type Options struct {
	// Admin is the server's view of its plugins (required).
	Admin bundled.Admin
	// Version is the server's version, shown in the page's header.
	Version string
	// Viewer returns who makes a request; nil: everybody is a guest.
	Viewer func(r *http.Request) Viewer
	// UI returns what the enabled plugins bring to the page for the
	// viewer of a request; nil for nothing.
	UI func(r *http.Request) UI
	// Logger receives rendering errors; default slog.Default().
	Logger *slog.Logger
}

// Page serves the web page.
type Page struct {
	opts Options
	tmpl *template.Template
	log  *slog.Logger
}

// New parses the page's templates.
func New(o Options) (*Page, error) {
	if o.Admin == nil {
		return nil, errors.New("web: no Admin")
	}
	if o.Viewer == nil {
		o.Viewer = func(*http.Request) Viewer { return Viewer{} }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	t, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return &Page{opts: o, tmpl: t, log: o.Logger.With("logger", "tentacle.web")}, nil
}

// Register adds the page's routes to mux: GET / (the page), GET
// /ui/<fragment> (parts of it, for htmx) and GET /static/ (its files).
func (p *Page) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", p.page)
	mux.HandleFunc("GET /ui/plugins", p.fragment("plugins", p.pluginsView))
	mux.HandleFunc("GET /ui/banners", p.fragment("banners", p.bannersView))
	mux.HandleFunc("GET /ui/orphans", p.fragment("orphans", p.orphansView))
	mux.HandleFunc("GET /ui/repository", p.fragment("repository", p.repositoryView))
	static, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache") // revalidated: the files change with the server
		files.ServeHTTP(w, r)
	}))
}

// page renders the whole page.
func (p *Page) page(w http.ResponseWriter, r *http.Request) {
	v := p.opts.Viewer(r)
	data := pageView{Viewer: v, Version: p.opts.Version}
	if v.Name != "" && p.opts.UI != nil {
		// Plugins' parts of the page are for signed-in viewers: a guest
		// sees the sign-in form alone.
		data.UI = p.opts.UI(r)
	}
	if v.Admin {
		data.Banners = p.bannersView(r)
		data.Plugins = p.pluginsView(r)
		data.Orphans = p.orphansView(r)
		data.Repository = p.repositoryView(r)
	}
	p.render(w, "page", data)
}

// fragment serves one part of the page, for viewers who may manage
// plugins; others get 403 (the page then shows the sign-in form).
func (p *Page) fragment(name string, view func(*http.Request) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !p.opts.Viewer(r).Admin {
			http.Error(w, "sign in to manage plugins", http.StatusForbidden)
			return
		}
		p.render(w, name, view(r))
	}
}

// render executes template name into a buffer first, so that a failure
// answers 500 instead of half a page.
func (p *Page) render(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		p.log.Error("cannot render the web page", "template", name, "error", err)
		http.Error(w, "cannot render the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = b.WriteTo(w)
}
