// cmp: Compare, Less and Or; sort and strings as before.
package cmp_funcs

import (
	"cmp"
	"fmt"
	"math"
	"sort"

	"github.com/tentacle-go/tentacle"
)

func run() string {
	xs := []string{"b", "c", "a"}
	sort.Strings(xs)
	half := 1.5
	ys := []int{3, 1, 2}
	sort.Slice(ys, func(i, j int) bool { return cmp.Less(ys[j], ys[i]) })
	return fmt.Sprint(cmp.Compare(1, 2), cmp.Compare("b", "a"), cmp.Compare(math.NaN(), 0), cmp.Less(half, 2),
		cmp.Or("", "default"), cmp.Or(0, 0, 7), xs, ys)
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": run}}
