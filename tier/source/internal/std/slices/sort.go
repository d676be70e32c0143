package slices

import "cmp"

// Sort sorts x in ascending order (NaNs first).
func Sort[E cmp.Ordered](x []E) {
	slicesHeapSort(x, func(a, b E) int { return cmp.Compare(a, b) })
}

// SortFunc sorts x in the order c gives (negative: a before b); equal
// elements may move.
func SortFunc[S ~[]E, E any](x S, c func(a, b E) int) {
	slicesHeapSort([]E(x), c)
}

// SortStableFunc sorts x in the order c gives, keeping equal elements in
// their order.
func SortStableFunc[S ~[]E, E any](x S, c func(a, b E) int) {
	slicesMergeSort([]E(x), c)
}

// IsSorted reports whether x is in ascending order.
func IsSorted[E cmp.Ordered](x []E) bool {
	return IsSortedFunc(x, func(a, b E) int { return cmp.Compare(a, b) })
}

// IsSortedFunc reports whether x is in the order c gives.
func IsSortedFunc[S ~[]E, E any](x S, c func(a, b E) int) bool {
	for i := len(x) - 1; i > 0; i-- {
		if c(x[i], x[i-1]) < 0 {
			return false
		}
	}
	return true
}

// Min returns the smallest element of x (a NaN if there is one); it
// panics if x is empty.
func Min[E cmp.Ordered](x []E) E {
	if len(x) < 1 {
		panic("slices.Min: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if v != v {
			return v
		}
		if v < m {
			m = v
		}
	}
	return m
}

// MinFunc returns the first of the smallest elements as c orders them;
// it panics if x is empty.
func MinFunc[S ~[]E, E any](x S, c func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MinFunc: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if c(v, m) < 0 {
			m = v
		}
	}
	return m
}

// Max returns the largest element of x (a NaN if there is one); it
// panics if x is empty.
func Max[E cmp.Ordered](x []E) E {
	if len(x) < 1 {
		panic("slices.Max: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if v != v {
			return v
		}
		if v > m {
			m = v
		}
	}
	return m
}

// MaxFunc returns the first of the largest elements as c orders them; it
// panics if x is empty.
func MaxFunc[S ~[]E, E any](x S, c func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MaxFunc: empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if c(v, m) > 0 {
			m = v
		}
	}
	return m
}

// BinarySearch searches the sorted x for target: its position, or where
// it would go, and whether it is there.
func BinarySearch[S ~[]E, E cmp.Ordered](x S, target E) (int, bool) {
	return BinarySearchFunc([]E(x), target, func(a, b E) int { return cmp.Compare(a, b) })
}

// BinarySearchFunc is BinarySearch with c comparing an element to the
// target.
func BinarySearchFunc[E, T any](x []E, target T, c func(E, T) int) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c(x[m], target) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(x) && c(x[lo], target) == 0
}

// slicesHeapSort sorts x in place in O(n log n) comparisons.
func slicesHeapSort[E any](x []E, c func(a, b E) int) {
	n := len(x)
	for i := n/2 - 1; i >= 0; i-- {
		slicesSiftDown(x, i, n, c)
	}
	for end := n - 1; end > 0; end-- {
		x[0], x[end] = x[end], x[0]
		slicesSiftDown(x, 0, end, c)
	}
}

// slicesSiftDown restores the heap order below root, in x[:n].
func slicesSiftDown[E any](x []E, root, n int, c func(a, b E) int) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && c(x[child], x[child+1]) < 0 {
			child++
		}
		if c(x[root], x[child]) >= 0 {
			return
		}
		x[root], x[child] = x[child], x[root]
		root = child
	}
}

// slicesMergeSort sorts x stably, merging runs of growing width through a
// buffer.
func slicesMergeSort[E any](x []E, c func(a, b E) int) {
	n := len(x)
	if n < 2 {
		return
	}
	buf := make([]E, n)
	src, dst := x, buf
	inBuf := false
	for width := 1; width < n; width *= 2 {
		for lo := 0; lo < n; lo += 2 * width {
			mid, hi := lo+width, lo+2*width
			if mid > n {
				mid = n
			}
			if hi > n {
				hi = n
			}
			slicesMerge(dst[lo:hi], src[lo:mid], src[mid:hi], c)
		}
		src, dst = dst, src
		inBuf = !inBuf
	}
	if inBuf {
		copy(x, src)
	}
}

// slicesMerge merges the sorted a and b into out, a's element first when equal.
func slicesMerge[E any](out, a, b []E, c func(a, b E) int) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if c(b[j], a[i]) < 0 {
			out[k] = b[j]
			j++
		} else {
			out[k] = a[i]
			i++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	copy(out[k:], b[j:])
}
