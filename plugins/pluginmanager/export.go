package pluginmanager

import (
	"net/http"

	"github.com/tentacle-go/tentacle/internal/httpjson"
)

// exported is one plugin of the plugin list GET /export answers, as
// OctoPrint writes it: enough to install it again elsewhere.
type exported struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	Archive string `json:"archive,omitempty"`
}

// export answers GET /export: the plugins that are not bundled, as an
// attachment plugin_list.json, each with its archive when the repository
// lists it.
func (p *Implementation) export(w http.ResponseWriter, _ *http.Request) {
	a, err := p.admin()
	if err != nil {
		httpjson.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	repo := p.repo(a)
	out := []exported{}
	for _, in := range a.Plugins() {
		if in.Bundled {
			continue
		}
		e := exported{Key: in.Key, Name: in.Name, URL: in.URL}
		if repo != nil {
			e.Archive = repo.archive(in.Key)
		}
		out = append(out, e)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="plugin_list.json"`)
	httpjson.Write(w, http.StatusOK, out)
}
