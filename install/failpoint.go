package install

import "sync/atomic"

// failpoint, when set (by the package's tests only), is called at every
// named point of an install, a rollback, a Recover and a Remove; an error
// it returns fails the operation there, as a real failure at that point
// would. Tests also use it to block a process at a point and kill it.
var failpoint atomic.Pointer[func(point string) error]

// The named points, in the order an install reaches them.
const (
	fpDownload     = "download"      // before the request
	fpDownloadBody = "download.body" // after the first chunk of the body
	fpCopy         = "copy"          // before a local file is copied in
	fpVerify       = "verify"        // before the SHA-256 is compared
	fpUnpackEntry  = "unpack.entry"  // before each entry is written
	fpUnpackDone   = "unpack.done"   // after the last entry
	fpLayout       = "validate.layout"
	fpPackage      = "validate.package" // before the manifest and executable are checked
	fpLint         = "validate.lint"
	fpCheck        = "validate.check"
	fpSync         = "place.sync"    // before the staged files are flushed
	fpJournal      = "place.journal" // before the journal is written
	fpMkdir        = "place.mkdir"   // before plugins/ or packages/ is made
	fpMove         = "place.move"    // before each rename of Place
	fpPlaced       = "place.placed"  // after the last rename of Place
	fpMarker       = "commit.marker" // before the commit marker is written
	fpCleanup      = "commit.cleanup"
	fpUndo         = "rollback.move" // before each rename of a rollback
	fpUndone       = "rollback.done" // after the last rename of a rollback
	fpRemoveMove   = "remove.move"   // before Remove's rename
	fpRemoveDelete = "remove.delete" // after it, before the delete
)

// hit reports the failure injected at point, if any.
func hit(point string) error {
	if f := failpoint.Load(); f != nil {
		return (*f)(point)
	}
	return nil
}
