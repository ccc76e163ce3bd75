package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// signerPrefix begins every note signer key.
const signerPrefix = "PRIVATE+KEY+"

// IsSignerKey reports whether key is a signer (private) key rather than a
// verifier key.
func IsSignerKey(key string) bool { return strings.HasPrefix(key, signerPrefix) }

// WriteKeyFile writes key to a new file at path: mode 0600 for a signer key,
// 0644 for a verifier key. It never overwrites an existing file, because
// losing a signer key makes every checkpoint it signed unverifiable by a
// new one.
func WriteKeyFile(path, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if IsSignerKey(key) {
		mode = 0o600
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("audit: writing key: %w", err)
	}
	_, err = f.WriteString(key + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // a half-written key is worse than none
		return fmt.Errorf("audit: writing key: %w", err)
	}
	return nil
}

// ReadKeyFile reads a signer or verifier key written by WriteKeyFile. It
// refuses a signer key file that others may read, as ssh does.
func ReadKeyFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("audit: reading key: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if err := checkKey(key); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if IsSignerKey(key) && runtime.GOOS != "windows" {
		st, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("audit: reading key: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("%s: audit signer key is readable by others (mode %#o); chmod 600 it", path, st.Mode().Perm())
		}
	}
	return key, nil
}

func checkKey(key string) error {
	if IsSignerKey(key) {
		if _, err := note.NewSigner(key); err != nil {
			return errors.New("audit: not a valid audit signer key")
		}
		return nil
	}
	if _, err := note.NewVerifier(key); err != nil {
		return errors.New("audit: not a valid audit key")
	}
	return nil
}
