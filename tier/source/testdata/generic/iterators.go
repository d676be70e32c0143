// maps and slices iterators, consumed by Collect, Sorted and a callback
// (range over a function is not supported by the interpreter).
package iterators

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tentacle-go/tentacle"
)

func run() string {
	m := map[string]int{"x": 3, "y": 1, "z": 2}
	keys := slices.Sorted(maps.Keys(m))
	vals := slices.Sorted(maps.Values(m))
	byLen := slices.SortedFunc(slices.Values([]string{"ccc", "a", "bb"}), func(a, b string) int { return len(a) - len(b) })
	var back []string
	slices.Backward([]string{"a", "b", "c"})(func(_ int, v string) bool {
		back = append(back, v)
		return true
	})
	var chunks []string
	slices.Chunk([]int{1, 2, 3, 4, 5}, 2)(func(c []int) bool {
		chunks = append(chunks, fmt.Sprint(c))
		return true
	})
	copied := maps.Collect(maps.All(m))
	more := map[string]int{"w": 0}
	maps.Insert(more, maps.All(m))
	idx := slices.Collect(func(yield func(int) bool) {
		slices.All([]string{"p", "q"})(func(i int, _ string) bool { return yield(i) })
	})
	return fmt.Sprint(keys, vals, byLen, back, strings.Join(chunks, ""), len(copied), len(more), idx,
		slices.AppendSeq([]int{0}, slices.Values([]int{1, 2})))
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": run}}
