// Command exits gives up before it serves: the pack command reports that it
// did not describe itself, with what it wrote.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "exits: no configuration, giving up")
	os.Exit(3)
}
