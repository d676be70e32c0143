// maps: copies and comparisons.
package maps_funcs

import (
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/tentacle-go/tentacle"
)

var defaults = map[string]int{"speed": 100}

var current map[string]int

func init() { current = maps.Clone(defaults) } // not in current's initialiser

func run() string {
	current["speed"] = 50
	m := map[string]int{"a": 1, "b": 2}
	c := maps.Clone(m)
	c["c"] = 3 // a copy: m keeps two
	dst := map[string]int{"z": 26}
	maps.Copy(dst, m)
	maps.DeleteFunc(dst, func(k string, _ int) bool { return k == "a" })
	eq := maps.EqualFunc(m, map[string]float64{"a": 1, "b": 2}, func(v int, f float64) bool { return float64(v) == f })
	h := http.Header{"Accept": {"text/plain"}}
	hc := maps.Clone(map[string][]string(h)) // a compiled type's map, converted
	hc["Accept"] = nil
	return fmt.Sprint(defaults["speed"], h.Get("Accept"), len(m), len(c), maps.Equal(m, map[string]int{"b": 2, "a": 1}), maps.Equal(m, c),
		dst, eq, maps.Clone(map[string]bool(nil)) == nil, strings.ToUpper("ok"))
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": run}}
