package pluginmanager

import (
	"context"
	"net/http"

	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// repoAdapter gives entries what they need of the repository.
type repoAdapter struct{ r *repository.Repository }

// repo returns the server's repository as entries use it, or nil when the
// server has none.
func (p *Implementation) repo(a bundled.Admin) repoView {
	if r := a.Repository(); r != nil {
		return repoAdapter{r}
	}
	return nil
}

func (v repoAdapter) notifications(id, version string) []Notification {
	notices := v.r.Notices(id, version)
	if len(notices) == 0 {
		return nil
	}
	out := make([]Notification, len(notices))
	for i, n := range notices {
		out[i] = Notification{Key: id, Text: n.Text, Versions: n.AffectedVersions(), Important: n.Important}
		if out[i].Versions == nil {
			out[i].Versions = []string{}
		}
		if t := n.Time(); !t.IsZero() {
			out[i].Date = float64(t.Unix())
		}
		if n.Link != "" {
			link := n.Link
			out[i].Link = &link
		}
	}
	return out
}

func (v repoAdapter) attributes(id string) []string {
	if e, ok := v.r.Entry(id); ok {
		return e.Attributes
	}
	return nil
}

func (v repoAdapter) archive(id string) string {
	if e, ok := v.r.Entry(id); ok {
		return e.Archive
	}
	return ""
}

func (v repoAdapter) online() bool {
	ix := v.r.Index()
	return ix.Available && ix.Error == ""
}

// repositoryAnswer is the answer of GET /repository, as OctoPrint gives
// it, with Tentacle's details of the index's state beside.
type repositoryAnswer struct {
	Repository repository.Index `json:"repository"`
}

// getRepository answers GET /repository[?refresh=true].
func (p *Implementation) getRepository(a bundled.Admin, r *http.Request) (any, error) {
	return repositoryAnswer{Repository: p.repositoryIndex(r, a, httpjson.Truthy(r.URL.Query().Get("refresh")))}, nil
}

// repositoryIndex returns the repository's index, fetched again first
// when refresh is true.
func (p *Implementation) repositoryIndex(r *http.Request, a bundled.Admin, refresh bool) repository.Index {
	repo := a.Repository()
	if repo == nil {
		return repository.Index{Plugins: []repository.Entry{}, Error: "no repository configured"}
	}
	if refresh {
		_ = repo.Refresh(r.Context(), true) // a failure shows in the index's error
	}
	return repo.Index()
}

// refreshRepository is the refresh_repository command: fetch the index,
// the notices and the blocklist again.
func (p *Implementation) refreshRepository(ctx context.Context, a bundled.Admin) (any, error) {
	if repo := a.Repository(); repo != nil {
		_ = repo.Refresh(ctx, true)
	}
	return nil, nil
}
