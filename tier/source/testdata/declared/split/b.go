package split

import "github.com/tentacle-go/tentacle"

type S struct{ tentacle.Base }

const hookName = "split.hook"
