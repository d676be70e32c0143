// Package std holds the generic standard library packages a source plugin
// gets: cmp, maps and slices, written for the interpreter, which compiles
// their source (embedded by package source) in each interpreter whose
// plugin imports one.
//
// The interpreter infers a type parameter from a function's arguments
// only, not from another parameter's constraint (the E of S ~[]E), and it
// cannot declare generic function types (iter.Seq). So the functions here
// take and return []E and map[K]V where the standard library's take S and
// M, and its iterators are plain func(yield func(V) bool) values. Each
// package compiles with Go too, and its tests hold it to the standard
// library's results.
package std
