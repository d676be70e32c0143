package escape

import (
	"testing"

	"github.com/tentacle-go/tentacle"
)

func run() { testing.Main(nil, nil, nil, nil) }

var Plugin = tentacle.Definition{}
