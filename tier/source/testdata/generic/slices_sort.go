// slices: sorting, binary search, minimum and maximum.
package slices_sort

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tentacle-go/tentacle"
)

type job struct {
	name string
	prio int
}

func run() string {
	xs := []int{3, 1, 4, 1, 5, 9, 2, 6}
	slices.Sort(xs)
	words := strings.Fields("pear fig apple")
	slices.SortFunc(words, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
	jobs := []job{{"b", 2}, {"a", 1}, {"c", 2}, {"d", 1}}
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(a.prio, b.prio) })
	i, found := slices.BinarySearch(xs, 5)
	j, _ := slices.BinarySearchFunc(jobs, 2, func(e job, t int) int { return cmp.Compare(e.prio, t) })
	fields := strings.Fields("b c a")
	slices.Sort([]string(fields)) // a compiled function's slice, converted
	fs := []float64{2.5, -1, 7}
	return fmt.Sprint(
		xs, words, fields, jobs, slices.IsSorted(xs), slices.IsSortedFunc(jobs, func(a, b job) int { return strings.Compare(a.name, b.name) }),
		i, found, j,
		slices.Min(fs), slices.Max(xs), slices.MinFunc(jobs, func(a, b job) int { return cmp.Compare(a.prio, b.prio) }).name,
		slices.MaxFunc(words, func(a, b string) int { return cmp.Compare(len(a), len(b)) }),
	)
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": run}}
