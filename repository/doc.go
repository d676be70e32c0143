// Package repository is the plugin repository as OctoPrint's Plugin
// Manager knows it: the index of plugins one can install, the notices
// about installed plugins, and the blocklist of plugin versions that must
// not run. Each is a JSON list at its own URL, in OctoPrint's format, so
// that a Tentacle repository is written the way plugins.octoprint.org is
// (and OctoPrint's own lists can be read, though their Python plugins
// cannot be installed here).
//
// # Three lists, one life cycle
//
// A [Repository] is made with [New], which reads the cached copies from
// Options.CacheDir (plugins.json, notices.json, blocklist.json) and touches
// no network: a server starts with what it had, however old, even offline.
// [Repository.Start] then fetches, in the background, each list whose copy
// is missing or older than its time to live (a day for the index and the
// blocklist, six hours for the notices, as OctoPrint), and keeps doing so
// while it runs. [Repository.Refresh] fetches now and waits, bounded by
// Options.Timeout: it is what the Plugin Manager's "refresh" button asks.
// [Repository.Stop] (or the end of Start's context) ends every fetch and
// goroutine.
//
// A fetch that fails, for any reason (no network, a status other than 2xx,
// a body that is not a JSON list, one larger than Options.MaxSize, the
// timeout), changes nothing but the list's error: the copy stays in use,
// and the listing says what failed and when. A fetch that succeeds
// replaces the copy in memory and on disk, where it is written to a
// temporary file, flushed and renamed, so a crash never leaves half a
// list. Two callers that want the same list at the same time share one
// request. A list whose URL is empty is off: unavailable, with the reason
// "no repository configured".
//
// Readers ([Repository.Index], [Repository.Entry], [Repository.Search],
// [Repository.Notices], [Repository.Blocked], [Repository.Status]) never
// wait: they read the latest snapshot and return copies.
//
// # The index
//
// An [Entry] has OctoPrint's fields (id, title, description, archive,
// author, homepage, page, published, license, image, abandoned,
// compatibility, github, stats, privacypolicy, attributes,
// up_for_adoption, disabled, follow_dependency_links, ...) and Tentacle's:
// tier ("source" or "process"), version, sha256 of the archive, archives
// per platform ("linux_arm64": {url, sha256}) and compatibility.tentacle,
// a constraint on the host's API version like a plugin's Compat. Whatever
// else an index holds is kept and written back, so serving an entry loses
// nothing of it. [Entry.ArchiveFor] picks what to download for a machine;
// is_compatible is computed for this host ([Entry.CompatibleWith]).
//
// # Notices and the blocklist
//
// Notices are shown with an installed plugin when they concern its
// version ([Repository.Notices]); the blocklist refuses plugin versions
// at discovery ([Repository.Blocked], which the host consults beside the
// configuration's plugins._blocklist). Both write versions as Python does
// (PEP 440: "<1.6.0", ">=0.7.0,<=0.7.1", "~=1.4"), which this package
// translates to semver; their octoversions, OctoPrint versions there, are
// checked against the host's API version here.
//
// # The JSON it reads and serves
//
// The index is a list of entries; an [Entry] encodes as the index's object
// with OctoPrint's additions, which is what OctoPrint's Plugin Manager
// answers GET /plugin/pluginmanager/repository with, inside
// {"repository": {"available": ..., "plugins": [...]}} ([Index], which
// adds fetched, stale, error and error_at):
//
//	{"id": "weather", "title": "Weather", "description": "...",
//	 "archive": "https://.../weather-1.2.0.tar.gz", "author": "...",
//	 "homepage": "...", "page": "...", "published": "2025-03-01 00:00:00 +0000",
//	 "license": "AGPLv3", "abandoned": false,
//	 "compatibility": {"octoprint": [], "os": ["posix"], "tentacle": "^1.0"},
//	 "github": {...}, "stats": {...}, "privacypolicy": false,
//	 "attributes": [], "follow_dependency_links": false,
//	 "no_build_isolation": false,
//	 "is_compatible": {"octoprint": true, "os": true, "python": true},
//	 "tier": "source", "version": "1.2.0", "sha256": "4f2d...",
//	 "archives": {"linux_arm64": {"url": "...", "sha256": "..."}}}
//
// The notices are a list of [Notice] ({plugin, text, date, link,
// pluginversions or versions, octoversions, important}); OctoPrint sends
// those that concern an installed plugin with its entry in GET
// /plugin/pluginmanager/plugins as "notifications", each {"key": id,
// "date": seconds since the epoch ([Notice.Time]), "text", "link" (null
// when none), "versions" ([Notice.AffectedVersions]), "important"}. The
// blocklist is a list of [BlocklistEntry] ({plugin, pluginversions,
// versions, octoversions, pythonversions, reason}).
//
//	repo, err := repository.New(repository.Options{
//		CacheDir:     filepath.Join(basedir, "data", "pluginmanager"),
//		IndexURL:     "https://plugins.example.org/plugins.json",
//		NoticesURL:   "https://plugins.example.org/notices.json",
//		BlocklistURL: "https://plugins.example.org/blocklist.json",
//	})
//	...
//	repo.Start(ctx)  // returns at once
//	defer repo.Stop()
//	ix := repo.Index() // {"available": true, "plugins": [...]}
//	if reason, blocked := repo.Blocked("themes", "1.2.0"); blocked { ... }
package repository
