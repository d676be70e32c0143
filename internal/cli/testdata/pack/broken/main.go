// Command broken does not compile: the pack command reports the build
// failure.
package main

func main() {
	var n int = "not a number"
	_ = n
}
