// slices: searching and comparing, on a literal, a named slice type and a
// compiled function's result.
package slices_search

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tentacle-go/tentacle"
)

type names []string

func run() string {
	xs := []int{3, 1, 4, 1, 5}
	ns := names{"ender", "prusa"}
	parts := strings.Split("a,b,c", ",")
	isBig := func(v int) bool { return v > 3 }
	return fmt.Sprint(
		slices.Contains(xs, 4), slices.Contains(ns, "voron"), slices.Contains(parts, "b"),
		slices.Index(xs, 1), slices.Index(parts, "c"),
		slices.IndexFunc(xs, isBig), slices.ContainsFunc(ns, func(s string) bool { return strings.HasPrefix(s, "p") }),
		slices.Equal(xs, []int{3, 1, 4, 1, 5}), slices.Equal(ns, names{"ender"}),
		slices.EqualFunc(xs, []string{"3", "1", "4", "1", "5"}, func(a int, b string) bool { return fmt.Sprint(a) == b }),
		slices.Compare([]int{1, 2}, []int{1, 3}), slices.Compare(ns, names{"ender", "prusa"}),
		slices.CompareFunc(xs, xs, func(a, b int) int { return a - b }),
	)
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": run}}
