package repository_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/tentacle-go/tentacle/repository"
)

// lists is a tiny plugin repository: its index, notices and blocklist.
var lists = map[string]string{
	"/plugins.json": `[
		{"id": "weather", "title": "Weather", "tier": "source", "version": "1.2.0",
		 "archive": "https://plugins.example.org/weather-1.2.0.tar.gz", "sha256": "4f2d",
		 "compatibility": {"tentacle": "^1.0", "os": ["posix"]}, "x_mirror": "eu"},
		{"id": "futuristic", "title": "Futuristic", "tier": "source",
		 "compatibility": {"tentacle": ">=2.0"}}
	]`,
	"/notices.json": `[
		{"plugin": "weather", "date": "2025-06-02 08:30:00 +0000",
		 "text": "Version 1.2.1 fixes a crash.", "pluginversions": ["<1.2.1"]}
	]`,
	"/blocklist.json": `[
		{"plugin": "weather", "pluginversions": ["<1.0"], "reason": "Leaks the API key."}
	]`,
}

func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, lists[r.URL.Path])
	}))
	defer srv.Close()
	cache, err := os.MkdirTemp("", "pluginmanager")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(cache)

	repo, err := repository.New(repository.Options{
		CacheDir:     cache, // <basedir>/data/pluginmanager in the server
		IndexURL:     srv.URL + "/plugins.json",
		NoticesURL:   srv.URL + "/notices.json",
		BlocklistURL: srv.URL + "/blocklist.json",
		APIVersion:   "1.0.0",
		GOOS:         "linux",
		Logger:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Stop()
	fmt.Println("before:", repo.Index().Error)

	// What GET /plugin/pluginmanager/repository?refresh=true does.
	if err := repo.Refresh(context.Background(), true); err != nil {
		log.Fatal(err)
	}
	for _, e := range repo.Index().Plugins {
		fmt.Printf("%s %s compatible=%v\n", e.ID, e.Version, e.IsCompatible.All())
	}
	for _, n := range repo.Notices("weather", "1.2.0") {
		fmt.Println("notice:", n.Text)
	}
	fmt.Println(repo.Blocked("weather", "0.9.0"))

	e, _ := repo.Entry("weather")
	b, _ := json.Marshal(e)
	fmt.Println(string(b))
	// Output:
	// before: not fetched yet
	// weather 1.2.0 compatible=true
	// futuristic  compatible=false
	// notice: Version 1.2.1 fixes a crash.
	// blocklisted by the plugin repository for versions <1.0: Leaks the API key. true
	// {"id":"weather","title":"Weather","description":"","archive":"https://plugins.example.org/weather-1.2.0.tar.gz","author":"","homepage":"","page":"","published":"","license":"","abandoned":false,"compatibility":{"os":["posix"],"tentacle":"^1.0"},"privacypolicy":false,"attributes":[],"follow_dependency_links":false,"no_build_isolation":false,"is_compatible":{"octoprint":true,"os":true,"python":true},"tier":"source","version":"1.2.0","sha256":"4f2d","x_mirror":"eu"}
}

func ExampleEntry_ArchiveFor() {
	e := repository.Entry{
		ID:      "camstream",
		Tier:    repository.TierProcess,
		Archive: "https://plugins.example.org/camstream-all.tar.gz",
		SHA256:  "aaaa",
		Archives: map[string]repository.Archive{
			"linux_arm64": {URL: "https://plugins.example.org/camstream-linux-arm64.tar.gz", SHA256: "bbbb"},
		},
	}
	fmt.Println(e.ArchiveFor("linux", "arm64"))
	fmt.Println(e.ArchiveFor("darwin", "arm64"))
	// Output:
	// https://plugins.example.org/camstream-linux-arm64.tar.gz bbbb true
	// https://plugins.example.org/camstream-all.tar.gz aaaa true
}

func ExampleOSCompatible() {
	fmt.Println(repository.OSCompatible([]string{"posix"}, "darwin"))
	fmt.Println(repository.OSCompatible([]string{"nix"}, "darwin"))
	fmt.Println(repository.OSCompatible([]string{"!windows"}, "windows"))
	fmt.Println(repository.OSCompatible(nil, "plan9"))
	// Output:
	// true
	// false
	// false
	// true
}

func ExampleIndex() {
	// A Repository whose index URL is empty: the list is off.
	repo, err := repository.New(repository.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Stop()
	b, _ := json.Marshal(map[string]repository.Index{"repository": repo.Index()})
	fmt.Println(string(b))
	// Output:
	// {"repository":{"available":false,"plugins":[],"error":"no repository configured"}}
}
