package audit

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpointOrigin is the first line of every checkpoint note; it stops a
// note signed for anything else being taken for a checkpoint.
const checkpointOrigin = "escalate audit log"

// Checkpoint is a signed statement that the log held N entries whose Merkle
// tree head was Root, made at time At.
type Checkpoint struct {
	N    int64     // entries covered: seq 1..N
	Root tlog.Hash // tree head of those entries
	At   time.Time // when it was signed; UTC, microsecond precision
}

// Text returns the note text that is signed:
//
//	escalate audit log
//	<N in decimal>
//	<Root in standard base64>
//	<At in TimeFormat>
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s\n", checkpointOrigin, c.N,
		base64.StdEncoding.EncodeToString(c.Root[:]), c.At.UTC().Format(TimeFormat))
}

// GenerateKey returns a new Ed25519 key pair in note format. name identifies
// the key inside every signature, for example "escalate-audit-hounslow"; it
// may not contain spaces or "+". The signer key must stay outside the
// database; the verifier key may be published.
func GenerateKey(name string) (signerKey, verifierKey string, err error) {
	// note.GenerateKey accepts any name, but a key with a bad one cannot sign.
	if name == "" || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsSpace) >= 0 || strings.Contains(name, "+") {
		return "", "", fmt.Errorf("audit: key name %q: want a non-empty name without spaces or \"+\"", name)
	}
	signerKey, verifierKey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("audit: key name %q: %w", name, err)
	}
	return signerKey, verifierKey, nil
}

// SignCheckpoint signs the statement that the log held n entries with tree
// head root at time at, returning the signed note the store keeps.
func SignCheckpoint(signerKey string, n int64, root tlog.Hash, at time.Time) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("audit: checkpoint of %d entries", n)
	}
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, errors.New("audit: not a valid audit signer key")
	}
	c := Checkpoint{N: n, Root: root, At: at.UTC().Truncate(time.Microsecond)}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("audit: signing checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks that msg is a checkpoint signed by verifierKey and
// returns what it states. A note signed by any other key, or altered after
// signing, is an error.
func OpenCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, errors.New("audit: not a valid audit verifier key")
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return Checkpoint{}, errors.New("audit: checkpoint is not signed by the audit key (forged, or signed with another key)")
		}
		return Checkpoint{}, fmt.Errorf("audit: checkpoint signature: %w", err)
	}
	return parseCheckpoint(n.Text)
}

func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) != 5 || lines[4] != "" || lines[0] != checkpointOrigin+"\n" {
		return Checkpoint{}, errors.New("audit: signed note is not an audit checkpoint")
	}
	var c Checkpoint
	var err error
	if c.N, err = strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64); err != nil || c.N < 0 {
		return Checkpoint{}, errors.New("audit: checkpoint: bad entry count")
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, errors.New("audit: checkpoint: bad tree head")
	}
	c.Root = tlog.Hash(root)
	if c.At, err = time.Parse(TimeFormat, strings.TrimSuffix(lines[3], "\n")); err != nil {
		return Checkpoint{}, errors.New("audit: checkpoint: bad time")
	}
	// One spelling per checkpoint: refuse "+5", "05" and the like.
	if c.Text() != text {
		return Checkpoint{}, errors.New("audit: checkpoint is not in canonical form")
	}
	return c, nil
}
