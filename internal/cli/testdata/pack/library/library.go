// Package library is not a main package: the pack command refuses it.
package library

// Answer is here so that the package has something in it.
const Answer = 42
