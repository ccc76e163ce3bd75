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

// Checkpoint is a signed statement that a chain of the log held N entries
// whose Merkle tree head was Root, made at time At.
type Checkpoint struct {
	// Chain is the chain the checkpoint covers: 0 for the service-wide
	// chain (which holds every event logged before there were chains), or
	// a partnership's ID.
	Chain int64
	N     int64     // entries covered: seq 1..N of the chain
	Root  tlog.Hash // tree head of those entries
	At    time.Time // when it was signed; UTC, microsecond precision
}

// Origin is the note's first line, which names the chain: "escalate audit
// log" for the service-wide chain (as every checkpoint was before there
// were chains), "escalate audit log partnership 3" for partnership 3's.
func (c Checkpoint) Origin() string {
	if c.Chain == 0 {
		return checkpointOrigin
	}
	return fmt.Sprintf("%s partnership %d", checkpointOrigin, c.Chain)
}

// Text returns the note text that is signed:
//
//	<Origin>
//	<N in decimal>
//	<Root in standard base64>
//	<At in TimeFormat>
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s\n", c.Origin(), c.N,
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

// SignCheckpoint signs the statement that the service-wide chain held n
// entries with tree head root at time at, returning the signed note the
// store keeps. Sign does the same for any chain.
func SignCheckpoint(signerKey string, n int64, root tlog.Hash, at time.Time) ([]byte, error) {
	return Checkpoint{N: n, Root: root, At: at}.Sign(signerKey)
}

// Sign signs c, its time truncated to the microsecond, returning the signed
// note the store keeps.
func (c Checkpoint) Sign(signerKey string) ([]byte, error) {
	if c.N < 0 || c.Chain < 0 {
		return nil, fmt.Errorf("audit: checkpoint of %d entries of chain %d", c.N, c.Chain)
	}
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, errors.New("audit: not a valid audit signer key")
	}
	c.At = c.At.UTC().Truncate(time.Microsecond)
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
	if len(lines) != 5 || lines[4] != "" || !strings.HasPrefix(lines[0], checkpointOrigin) {
		return Checkpoint{}, errors.New("audit: signed note is not an audit checkpoint")
	}
	var c Checkpoint
	var err error
	if chain, ok := strings.CutPrefix(strings.TrimSuffix(lines[0], "\n"), checkpointOrigin+" partnership "); ok {
		if c.Chain, err = strconv.ParseInt(chain, 10, 64); err != nil || c.Chain <= 0 {
			return Checkpoint{}, errors.New("audit: checkpoint: bad chain")
		}
	} else if lines[0] != checkpointOrigin+"\n" {
		return Checkpoint{}, errors.New("audit: signed note is not an audit checkpoint")
	}
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
