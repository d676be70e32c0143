// The same through a method of *os.File.
package escape

import (
	"os"

	"github.com/tentacle-go/tentacle"
)

func move() error {
	f, err := os.Open("/")
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chdir()
}

var Plugin = tentacle.Definition{}
