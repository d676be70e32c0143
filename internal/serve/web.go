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
		UI:      s.UI,
		Logger:  s.log,
	})
	if err != nil {
		return err
	}
	s.page = p
	return nil
}

// viewer is who a request to the web page comes from (see Visitor).
func (s *Server) viewer(r *http.Request) web.Viewer {
	v := s.Visitor(r)
	return web.Viewer{Name: v.Name, Admin: v.Admin, CSRF: v.CSRFToken}
}
