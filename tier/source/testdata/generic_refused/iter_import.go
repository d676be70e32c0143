package iter_import

import (
	"iter"

	"github.com/tentacle-go/tentacle"
)

func none() iter.Seq[int] { return nil }

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": none}}
