package repository

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Index is the repository index as a listing answers with it. Encoded, it
// is the object OctoPrint's Plugin Manager sends under "repository" in
// GET /plugin/pluginmanager/repository, available and plugins, with
// Tentacle's fields after them:
//
//	{"available": true, "plugins": [{"id": "mqtt", ...}, ...],
//	 "fetched": "2026-11-24T21:10:53Z", "stale": false}
//
//	{"available": false, "plugins": [],
//	 "error": "fetch index from https://...: 503 Service Unavailable",
//	 "error_at": "2026-11-24T21:10:53Z"}
type Index struct {
	// Available: there is a copy of the index (fetched now or earlier,
	// cached), however old.
	Available bool `json:"available"`
	// Plugins are the index's entries, in its order, with is_compatible
	// computed for this host; empty (never nil) when not Available.
	Plugins []Entry `json:"plugins"`
	// Fetched is when the copy was fetched (the cache file's
	// modification time); zero when not Available.
	Fetched time.Time `json:"fetched,omitzero"`
	// Stale: the copy is older than its time to live. It is still used.
	Stale bool `json:"stale,omitempty"`
	// Error says why the last attempt to fetch (or to read or save the
	// cache) failed, or, when there is no copy, why: "no repository
	// configured" (no URL), "not fetched yet". Empty after a success.
	Error string `json:"error,omitempty"`
	// ErrorAt is when that attempt failed.
	ErrorAt time.Time `json:"error_at,omitzero"`
	// Skipped counts the index's elements left out: not an object, no
	// id, a field that could not be read.
	Skipped int `json:"skipped,omitempty"`
}

// ParseIndex reads a repository index: a JSON list of entries in the
// shape of OctoPrint's plugins.json, with Tentacle's fields. It fails
// (with [ErrMalformed]) when data is not a JSON list. An element that is
// not an object or has no id is skipped and counted in skipped (OctoPrint
// drops what is not an object). Entries keep what they do not know (see
// [Entry]); their IsCompatible is what data says, not computed.
func ParseIndex(data []byte) (entries []Entry, skipped int, err error) {
	return parseList(data, func(e Entry) bool { return e.ID != "" })
}

// parseList decodes data, a JSON list, keeping the elements that are
// objects, decode into T and are valid; it counts the others.
func parseList[T any](data []byte, valid func(T) bool) (items []T, skipped int, err error) {
	var raws []json.RawMessage
	if err := decodeList(data, &raws); err != nil {
		return nil, 0, err
	}
	items = make([]T, 0, len(raws))
	for _, raw := range raws {
		var it T
		if !isObject(raw) || json.Unmarshal(raw, &it) != nil || !valid(it) {
			skipped++
			continue
		}
		items = append(items, it)
	}
	return items, skipped, nil
}

// decodeList decodes data, which must be a JSON list.
func decodeList(data []byte, raws *[]json.RawMessage) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return fmt.Errorf("%w: expected a JSON list", ErrMalformed)
	}
	if err := json.Unmarshal(trimmed, raws); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// isObject reports whether raw is a JSON object.
func isObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// indexData is a parsed index with its lookups.
type indexData struct {
	entries []Entry
	byID    map[string]int // the last entry of an id, as OctoPrint's dict
	skipped int
}

// newIndexData parses an index and computes each entry's compatibility.
func newIndexData(data []byte, apiVersion, goos string) (*indexData, error) {
	entries, skipped, err := ParseIndex(data)
	if err != nil {
		return nil, err
	}
	d := &indexData{entries: entries, byID: make(map[string]int, len(entries)), skipped: skipped}
	for i := range d.entries {
		d.entries[i].IsCompatible = d.entries[i].CompatibleWith(apiVersion, goos)
		d.byID[d.entries[i].ID] = i
	}
	return d, nil
}
