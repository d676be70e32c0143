// Package not_a_plugin declares no plugin definition: it is listed and never
// loaded.
package not_a_plugin

// Answer is not a plugin definition.
var Answer = 42
