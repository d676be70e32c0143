package serve

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle/internal/web"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
)

// uiList returns the list of u of template type t, nil for an unknown
// type.
func uiList(u *web.UI, t string) *[]web.Component {
	return map[string]*[]web.Component{
		server.TemplateNavbar: &u.Navbar, server.TemplateSidebar: &u.Sidebar, server.TemplateTab: &u.Tab,
		server.TemplateSettings: &u.Settings, server.TemplateUserSettings: &u.UserSettings,
		server.TemplateWizard: &u.Wizard, server.TemplateAbout: &u.About, server.TemplateGeneric: &u.Generic,
	}[t]
}

// maxTemplateOutput bounds what one template may write.
const maxTemplateOutput = 1 << 20

// validSuffix is what a TemplateConfig's Suffix may hold.
var validSuffix = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// uiTemplates keeps the parsed templates of the enabled Template plugins.
// It is an activator: a plugin's templates are read and parsed when its
// enable completes, and dropped when it is disabled (so a reload parses
// them again).
type uiTemplates struct {
	s          *Server
	mu         sync.RWMutex
	plugins    map[string]*uiPlugin
	generation uint64 // counts the enables and disables of UI plugins
}

// uiPlugin is one enabled Template plugin's templates.
type uiPlugin struct {
	id, name, version string
	vars              server.TemplateVars
	entries           []*uiEntry
	reported          sync.Map // execution errors already recorded as faults
}

// uiEntry is one template of a plugin, parsed or not.
type uiEntry struct {
	cfg       server.TemplateConfig // with its defaults filled in
	elementID string
	tmpl      *template.Template
	err       error // why it cannot be shown (its phase in the text)
}

func newUITemplates(s *Server) *uiTemplates {
	return &uiTemplates{s: s, plugins: make(map[string]*uiPlugin)}
}

func (*uiTemplates) Name() string { return "templates" }

// Activate reads and parses the plugin's templates. A template that cannot
// be read or parsed is recorded as the plugin's fault and shown as an
// error in its place; it does not fail the enable. A panic in Templates or
// TemplateFS does: it rolls the enable back, as one in AssetFS does.
func (u *uiTemplates) Activate(p manager.Plugin) error {
	_, isAsset := manager.As[server.Asset](p)
	t, ok := manager.As[server.Template](p)
	if !ok {
		if isAsset {
			u.bump()
		}
		return nil
	}
	info := p.Info()
	up := &uiPlugin{id: p.ID(), name: info.Name, version: info.Version}
	up.vars, _ = manager.As[server.TemplateVars](p)
	configs := t.Templates()
	fsys := t.TemplateFS()
	var errs []error
	up.entries, errs = templateEntries(up.id, configs, fsys)
	for _, err := range errs {
		u.s.mgr.RecordFault(up.id, "Templates", err)
	}
	u.parse(up, fsys)
	for _, e := range up.entries {
		if e.err != nil {
			u.s.mgr.RecordFault(up.id, "template "+e.elementID, e.err)
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.plugins[up.id] = up
	u.generation++
	return nil
}

func (u *uiTemplates) Deactivate(p manager.Plugin) {
	_, isTemplate := manager.As[server.Template](p)
	_, isAsset := manager.As[server.Asset](p)
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.plugins, p.ID())
	if isTemplate || isAsset {
		u.generation++
	}
}

func (u *uiTemplates) bump() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.generation++
}

// templateEntries fills in the defaults of a plugin's template configs and
// adds, for each type it lists none of, the file of that type's default
// name when fsys has it. A config that has no place on the page (an
// unknown type, a bad suffix, a place another config already takes) is
// left out, with an error that says why.
func templateEntries(id string, configs []server.TemplateConfig, fsys fs.FS) ([]*uiEntry, []error) {
	var out []*uiEntry
	var errs []error
	seen := make(map[string]bool) // element ids
	listed := make(map[string]bool)
	for i, c := range configs {
		elementID := c.Type + "_plugin_" + id + c.Suffix
		switch {
		case !knownType(c.Type):
			errs = append(errs, fmt.Errorf("template config %d: unknown template type %q (want one of %s)", i, c.Type, strings.Join(server.TemplateTypes(), ", ")))
			continue
		case !validSuffix.MatchString(c.Suffix):
			errs = append(errs, fmt.Errorf("template config %d: suffix %q holds more than letters, digits, _ and -", i, c.Suffix))
			continue
		case seen[elementID]:
			errs = append(errs, fmt.Errorf("template config %d: a second %s template with suffix %q", i, c.Type, c.Suffix))
			continue
		}
		seen[elementID] = true
		listed[c.Type] = true
		if c.File == "" {
			c.File = id + "_" + c.Type + c.Suffix + ".html"
		}
		out = append(out, &uiEntry{cfg: c, elementID: elementID})
	}
	if fsys == nil {
		return out, errs
	}
	for _, t := range server.TemplateTypes() {
		file := id + "_" + t + ".html"
		if listed[t] {
			continue
		}
		if fi, err := fs.Stat(fsys, file); err == nil && !fi.IsDir() {
			out = append(out, &uiEntry{cfg: server.TemplateConfig{Type: t, File: file}, elementID: t + "_plugin_" + id})
		}
	}
	return out, errs
}

// parse reads and parses the entries' files into one template set of the
// plugin's own.
func (u *uiTemplates) parse(up *uiPlugin, fsys fs.FS) {
	root := template.New("")
	parsed := make(map[string]error)
	for _, e := range up.entries {
		if e.err != nil {
			continue
		}
		if fsys == nil {
			e.err = errors.New("read: TemplateFS returned nil")
			continue
		}
		name := e.cfg.File
		if err, done := parsed[name]; done {
			e.err = err
			continue
		}
		err := parseFile(root, fsys, name)
		parsed[name] = err
		e.err = err
	}
	for _, e := range up.entries {
		if e.err == nil {
			e.tmpl = root.Lookup(e.cfg.File)
		}
	}
}

// parseFile adds file name of fsys to set, guarding against a panic of a
// plugin's file system.
func parseFile(set *template.Template, fsys fs.FS, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read %s: panic: %v", name, r)
		}
	}()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if _, err := set.New(name).Parse(string(b)); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	return nil
}

// snapshot returns the enabled Template plugins, by identifier, and the
// generation.
func (u *uiTemplates) snapshot() ([]*uiPlugin, uint64) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	out := make([]*uiPlugin, 0, len(u.plugins))
	for _, up := range u.plugins {
		out = append(out, up)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, u.generation
}

// UI returns what the enabled plugins bring to the web page (a web.UI: the
// page's Options.UI), as the viewer of r sees it: an admin (the API key, an
// admin user's session) sees the plugins'
// restricted settings in their templates and forms, other viewers do not.
// The templates were parsed when their plugins were enabled; UI executes
// them, and calls the plugins' TemplateVars, on each call. The web page
// calls it for each page; GET /api/ui answers it as JSON.
func (s *Server) UI(r *http.Request) web.UI {
	admin := s.mayAdmin(r)
	plugins, gen := s.ui.snapshot()
	ui := web.UI{Version: s.uiVersion(gen)}
	for _, t := range server.TemplateTypes() {
		*uiList(&ui, t) = []web.Component{}
	}
	sps := s.settingsPlugins()
	settingsView := s.viewOf(sps, admin).Plugins
	hasSettingsPane := make(map[string]bool)
	for _, up := range plugins {
		comps := s.executeTemplates(up, admin, settingsView[up.id])
		for _, c := range comps {
			l := uiList(&ui, c.Type)
			*l = append(*l, c)
			if c.Type == server.TemplateSettings {
				hasSettingsPane[up.id] = true
			}
		}
	}
	for _, t := range server.TemplateTypes() {
		l := uiList(&ui, t)
		sort.SliceStable(*l, func(i, j int) bool {
			a, b := (*l)[i], (*l)[j]
			if na, nb := strings.ToLower(a.Name), strings.ToLower(b.Name); na != nb {
				return na < nb
			}
			return a.ID < b.ID
		})
	}
	assets := s.routes.assetURLs()
	ui.JS, ui.CSS = append([]string{}, assets["js"]...), append([]string{}, assets["css"]...)
	ui.SettingsForms = append([]web.SettingsForm{}, s.settingsForms(sps, admin, settingsView, hasSettingsPane)...)
	return ui
}

// executeTemplates executes one plugin's templates for a viewer.
func (s *Server) executeTemplates(up *uiPlugin, admin bool, settings map[string]any) []web.Component {
	var vars map[string]any
	varsErr := ""
	if up.vars != nil && !s.guarded(up.id, "TemplateVars", func() { vars = up.vars.TemplateVars() }) {
		varsErr = "vars: TemplateVars failed"
	}
	out := make([]web.Component, 0, len(up.entries))
	for _, e := range up.entries {
		c := web.Component{Plugin: up.id, Type: e.cfg.Type, Name: cmp.Or(e.cfg.Name, up.name, up.id), ID: e.elementID}
		err := e.err
		if err == nil && varsErr != "" {
			err = errors.New(varsErr)
		}
		if err == nil {
			data := server.TemplateData{ID: up.id, Name: up.name, Version: up.version, Type: e.cfg.Type,
				ElementID: e.elementID, BaseURL: "/plugin/" + up.id + "/", Vars: vars, Settings: settings, Admin: admin}
			if data.Vars == nil {
				data.Vars = map[string]any{}
			}
			if data.Settings == nil {
				data.Settings = map[string]any{}
			}
			var html []byte
			html, err = execute(e.tmpl, data)
			if err == nil {
				c.HTML = template.HTML(html)
			} else if _, seen := up.reported.LoadOrStore(e.elementID+"\x00"+err.Error(), true); !seen {
				s.mgr.RecordFault(up.id, "template "+e.elementID, err)
			}
		}
		if err != nil {
			c.Error = "the plugin's template cannot be shown"
			if admin {
				c.Error = err.Error()
			}
		}
		out = append(out, c)
	}
	return out
}

// execute runs t with data into a buffer of at most maxTemplateOutput
// bytes, turning a panic into an error.
func execute(t *template.Template, data server.TemplateData) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("execute: panic: %v", r)
		}
	}()
	w := &limitedBuffer{max: maxTemplateOutput}
	if err := t.Execute(w, data); err != nil {
		return nil, fmt.Errorf("execute: %w", err)
	}
	return w.Bytes(), nil
}

// limitedBuffer is a bytes.Buffer that refuses to grow beyond max.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("the output is larger than %d bytes", b.max)
	}
	return b.Buffer.Write(p)
}

func knownType(t string) bool { return slices.Contains(server.TemplateTypes(), t) }

// UIVersion returns the version UI would answer now, without executing
// any template: a page can check it (or GET /api/ui/version) to learn
// that it must be reloaded.
func (s *Server) UIVersion() string {
	s.ui.mu.RLock()
	defer s.ui.mu.RUnlock()
	return s.uiVersion(s.ui.generation)
}

func (s *Server) uiVersion(generation uint64) string {
	return s.instance + "-" + strconv.FormatUint(generation, 10)
}

// getUIVersion answers GET /api/ui/version.
func (s *Server) getUIVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": s.UIVersion()})
}

// getUI answers GET /api/ui.
func (s *Server) getUI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.UI(r))
}
