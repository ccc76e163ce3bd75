package audit

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A witness directory holds a copy of every signed checkpoint, of every
// chain, outside the database: someone who can rewrite the database, its
// checkpoint table included, cannot reach it (keep it on another machine,
// a write-once share, or mail it on). Verify then checks each chain of the
// database against the newest note of that chain there, so a chain
// rewritten or cut short since that checkpoint, or deleted whole, is caught
// even when every checkpoint row was deleted.

// witnessExt ends the name of every note in a witness directory.
const witnessExt = ".note"

// WriteWitness writes the signed note msg of checkpoint c into dir, mode
// 0644, never overwriting a file, and returns the file's path. The name
// says the chain, its size and time: checkpoint-<N>-<time>.note for the
// service-wide chain (as before there were chains),
// checkpoint-partnership-<ID>-<N>-<time>.note for a partnership's. Only
// the signed note counts when it is read back.
func WriteWitness(dir string, c Checkpoint, msg []byte) (string, error) {
	if dir == "" {
		return "", errors.New("audit: no witness directory")
	}
	chain := ""
	if c.Chain != 0 {
		chain = fmt.Sprintf("partnership-%d-", c.Chain)
	}
	name := fmt.Sprintf("checkpoint-%s%012d-%s%s", chain, c.N, c.At.UTC().Format("20060102T150405.000000Z"), witnessExt)
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

// Witness is the newest witness copy of one chain's checkpoints, and its
// file.
type Witness struct {
	Checkpoint
	Path string
}

// LatestWitnesses opens every note in dir with verifierKey and returns,
// for each chain a note names, the checkpoint that covers the most events
// (the newest of equals) and its file, lowest chain first. The chain is
// the one the signed note names, whatever the file is called. A note that
// does not open is an error naming the file: a witness copy is never
// ignored. A directory with no note gives none.
func LatestWitnesses(dir, verifierKey string) ([]Witness, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("audit: witness directory %s does not exist", dir)
		}
		return nil, err
	}
	latest := map[int64]Witness{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), witnessExt) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		msg, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		w, err := OpenCheckpoint(msg, verifierKey)
		if err != nil {
			return nil, fmt.Errorf("witness %s: %w", p, err)
		}
		c, ok := latest[w.Chain]
		if !ok || w.N > c.N || w.N == c.N && w.At.After(c.At) {
			latest[w.Chain] = Witness{Checkpoint: w, Path: p}
		}
	}
	out := make([]Witness, 0, len(latest))
	for _, w := range latest {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b Witness) int { return cmp.Compare(a.Chain, b.Chain) })
	return out, nil
}
