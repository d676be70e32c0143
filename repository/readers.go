package repository

import "strings"

// Index returns the index as it is now, without waiting for the network:
// the copy there is (fetched, or read from the cache at New), however old,
// with Stale set when it is older than its time to live and Error set
// when the last attempt to fetch it failed. Without a copy, Available is
// false and Error says why: the fetch's failure, ReasonNotFetched, or
// ReasonNotConfigured when there is no IndexURL. Plugins is a copy the
// caller may keep and change; never nil.
func (r *Repository) Index() Index {
	l := r.index
	s := l.snap.Load()
	st := l.statusOf(s, r.now())
	ix := Index{
		Available: st.Available, Plugins: []Entry{},
		Fetched: st.Fetched, Stale: st.Stale, Error: st.Error, ErrorAt: st.ErrorAt,
	}
	if s.has {
		ix.Plugins = make([]Entry, len(s.data.entries))
		for i, e := range s.data.entries {
			ix.Plugins[i] = e.clone()
		}
		ix.Skipped = s.data.skipped
	}
	return ix
}

// Entry returns a copy of the index's entry with identifier id (matched
// exactly; the last one when the index lists it twice, as OctoPrint), and
// false when the index has no such entry or there is no index.
func (r *Repository) Entry(id string) (Entry, bool) {
	s := r.index.snap.Load()
	if !s.has {
		return Entry{}, false
	}
	i, ok := s.data.byID[id]
	if !ok {
		return Entry{}, false
	}
	return s.data.entries[i].clone(), true
}

// Search returns copies of the entries whose identifier, title,
// description or author contain term, ignoring case and the spaces around
// term, in the index's order. An empty term returns every entry; no index,
// none (an empty, non-nil list).
func (r *Repository) Search(term string) []Entry {
	term = strings.ToLower(strings.TrimSpace(term))
	out := []Entry{}
	s := r.index.snap.Load()
	if !s.has {
		return out
	}
	for _, e := range s.data.entries {
		if term == "" || e.searchable(term) {
			out = append(out, e.clone())
		}
	}
	return out
}

// Notices returns copies of the notices about the installed plugin id at
// version (empty when it has none), in the list's order, filtered as
// OctoPrint's Plugin Manager does: a notice is kept when it is for that
// plugin, its versions concern version (see below) and its octoversions
// admit the host's API version (without pre-release; any one suffices; a
// bare version means at least it). Versions concern version when the
// notice names none (pluginversions and versions both absent), when a
// range of pluginversions ("<1.6.0", ">=0.7.0,<=0.7.1") matches it, or
// when an exact version of pluginversions, or else of versions, equals it
// as a string. A plugin without a version gets only the notices that name
// no versions. A notice that concerns nothing installed is never
// returned: there is no way to ask for one but by the installed plugin's
// identifier, and OctoPrint shows notices only for plugins that are
// installed and enabled (the caller's check). Returns nil when there are
// none or no notices list.
func (r *Repository) Notices(id, version string) []Notice {
	s := r.notices.snap.Load()
	if !s.has {
		return nil
	}
	var out []Notice
	for _, n := range s.data[id] {
		if n.relevant(version, r.host) {
			out = append(out, n.clone())
		}
	}
	return out
}

// Blocked reports whether the repository's blocklist refuses plugin id at
// version (empty when it has none), and why, in a sentence that names the
// repository, the versions and the list's reason ("blocklisted by the
// plugin repository for versions <2.3.4: [Issue that breaks file
// uploads](https://...)"). An entry counts when its plugin is id (exactly)
// and its octoversions admit the host's API version (or it has none);
// pythonversions are ignored. It then blocks every version (no
// pluginversions nor versions), the versions one of its pluginversions
// ranges matches, or one of its exact versions. It fails closed as the
// configuration's plugins._blocklist does: a range that does not parse,
// or a version that is not semver (or none) checked against a range,
// blocks. The copy of the list is used however old; without one (no URL,
// never fetched) nothing is blocked.
func (r *Repository) Blocked(id, version string) (reason string, blocked bool) {
	s := r.blocklist.snap.Load()
	if !s.has {
		return "", false
	}
	for _, e := range s.data[id] {
		if reason, ok := e.blocks(version, r.host); ok {
			return reason, true
		}
	}
	return "", false
}

// Status returns the state of the three lists, in the order index,
// notices, blocklist: whether each is available, when it was fetched,
// whether it is stale, and its last error with its time.
func (r *Repository) Status() []ListStatus {
	now := r.now()
	return []ListStatus{
		r.index.statusOf(r.index.snap.Load(), now),
		r.notices.statusOf(r.notices.snap.Load(), now),
		r.blocklist.statusOf(r.blocklist.snap.Load(), now),
	}
}
