package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A witness directory holds a copy of every signed checkpoint, outside the
// database: someone who can rewrite the database, its checkpoint table
// included, cannot reach it (keep it on another machine, a write-once
// share, or mail it on). Verify then checks the database against the
// newest note there, so a log rewritten or cut short since that checkpoint
// is caught even when every checkpoint row was deleted.

// witnessExt ends the name of every note in a witness directory.
const witnessExt = ".note"

// WriteWitness writes the signed note msg of checkpoint c into dir as
// checkpoint-<N>-<time>.note, mode 0644, never overwriting a file. It
// returns the file's path.
func WriteWitness(dir string, c Checkpoint, msg []byte) (string, error) {
	if dir == "" {
		return "", errors.New("audit: no witness directory")
	}
	name := fmt.Sprintf("checkpoint-%012d-%s%s", c.N, c.At.UTC().Format("20060102T150405.000000Z"), witnessExt)
	path := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, ".checkpoint-*")
	if err != nil {
		return "", fmt.Errorf("audit: witness: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(msg); err != nil {
		tmp.Close()
		return "", fmt.Errorf("audit: witness: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("audit: witness: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("audit: witness: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("audit: witness: %w", err)
	}
	// A hard link, unlike a rename, refuses to replace an existing file.
	if err := os.Link(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("audit: witness: %w", err)
	}
	return path, nil
}

// LatestWitness opens every note in dir with verifierKey and returns the
// checkpoint that covers the most events (the newest of equals) and its
// file. A note that does not open is an error naming the file: a witness
// copy is never ignored. It returns ok false when dir holds no note.
func LatestWitness(dir, verifierKey string) (c Checkpoint, path string, ok bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return c, "", false, fmt.Errorf("audit: witness directory %s does not exist", dir)
		}
		return c, "", false, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), witnessExt) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		msg, err := os.ReadFile(p)
		if err != nil {
			return c, "", false, err
		}
		w, err := OpenCheckpoint(msg, verifierKey)
		if err != nil {
			return c, "", false, fmt.Errorf("witness %s: %w", p, err)
		}
		if !ok || w.N > c.N || w.N == c.N && w.At.After(c.At) {
			c, path, ok = w, p, true
		}
	}
	return c, path, ok, nil
}
