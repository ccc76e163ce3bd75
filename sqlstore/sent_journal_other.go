//go:build !unix

package sqlstore

import (
	"errors"
	"os"
)

// tryLockFile has no flock here: no journal is kept, and each mark goes to
// the database at once.
func tryLockFile(*os.File) (bool, error) {
	return false, errors.New("no file locks on this system")
}
