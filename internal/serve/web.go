package serve

import (
	"net/http"

	"github.com/tentacle-go/tentacle/internal/web"
)

// setupPage makes the web page served at /.
func (s *Server) setupPage() error {
	p, err := web.New(web.Options{
		Admin:   admin{s},
		Version: Version,
		Viewer:  s.viewer,
		UI:      s.pageUI,
		Logger:  s.log,
	})
	if err != nil {
		return err
	}
	s.page = p
	return nil
}

// pageUI is what the enabled plugins bring to the page: for now their
// scripts and style sheets.
func (s *Server) pageUI(*http.Request) web.UI {
	a := s.routes.assetURLs()
	return web.UI{JS: a["js"], CSS: a["css"]}
}

// viewer is who a request to the web page comes from: with the API key,
// an administrator; otherwise a guest.
func (s *Server) viewer(r *http.Request) web.Viewer {
	if s.hasKey(r) {
		return web.Viewer{Name: apiUser, Admin: true}
	}
	return web.Viewer{}
}
