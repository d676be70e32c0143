// slices: functions that return a new or changed slice.
package slices_edit

import (
	"fmt"
	"slices"

	"github.com/tentacle-go/tentacle"
)

type names []string

func run() string {
	xs := []int{1, 2, 3}
	ins := slices.Insert(xs, 1, 9, 8)
	del := slices.Delete(slices.Clone(ins), 0, 2)
	ns := names{"b", "a"}
	cl := names(slices.Clone(ns)) // not var cl names = slices.Clone(ns)
	var plain []string = slices.Clone([]string(ns))
	cl[0] = "z"
	rev := slices.Clone(xs)
	slices.Reverse(rev)
	odd := slices.DeleteFunc([]int{1, 2, 3, 4, 5}, func(v int) bool { return v%2 == 0 })
	g := slices.Grow([]int{}, 10)
	return fmt.Sprint(
		ins, del, ns, cl, plain, rev, odd,
		slices.Compact([]int{1, 1, 2, 2, 2, 3, 1}),
		slices.CompactFunc([]string{"a", "A", "b"}, func(a, b string) bool { return a == b || a == "a" && b == "A" }),
		slices.Replace([]int{1, 2, 3, 4}, 1, 3, 7), slices.Concat(xs, []int{4}, nil),
		slices.Repeat([]string{"ab"}, 3), cap(g) >= 10, len(slices.Clip(g)),
	)
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": run}}
