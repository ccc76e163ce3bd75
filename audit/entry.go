// Package audit is the pure core of Escalate's tamper-evident audit trail: a
// hash chain of events whose content is held as an erasable salted commitment,
// a Merkle tree over the chain (golang.org/x/mod/sumdb/tlog) and Ed25519-signed
// checkpoints of that tree (golang.org/x/mod/sumdb/note). It does no I/O
// beyond key files; the store writes and reads the rows. See doc/audit.md.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"
)

// Domain is the first field of every canonical encoding. It keeps an entry's
// hash distinct from any other SHA-256 Escalate computes, and names the
// version of the encoding.
const Domain = "escalate-audit-v1"

// TimeFormat is how At appears in the canonical encoding: RFC 3339 in UTC with
// exactly six fractional digits, so each instant has one spelling.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// MaxField is the most bytes Actor, Action or Object may hold.
const MaxField = 1024

// Entry is one event of the audit log, as stored in its append-only table.
type Entry struct {
	Seq        int64     // 1, 2, 3 … without gaps
	At         time.Time // UTC, microsecond precision
	Actor      string    // "user:42", "system"
	Action     string    // "escalation.raise", "record.add", "escalation.view"
	Object     string    // "escalation:RB-2026-0001"
	Commitment [32]byte  // Commit(content); all zero when there is no content
	Prev       [32]byte  // Hash of the entry before; all zero for Seq 1
	Hash       [32]byte  // SHA-256 of the canonical encoding
}

// Next returns the entry that follows prev, sealed. Pass the zero Entry as
// prev for the first entry of a log. at is normalised to UTC microseconds.
func Next(prev Entry, actor, action, object string, at time.Time, commitment [32]byte) (Entry, error) {
	e := Entry{
		Seq:        prev.Seq + 1,
		At:         at,
		Actor:      actor,
		Action:     action,
		Object:     object,
		Commitment: commitment,
	}
	e.Seal(prev.Hash)
	if err := e.Validate(); err != nil {
		return Entry{}, err
	}
	if e.At.Before(prev.At) {
		return Entry{}, fmt.Errorf("audit: seq %d: time %s is before the previous event's", e.Seq, e.At.Format(TimeFormat))
	}
	return e, nil
}

// Seal normalises At to UTC microseconds, links the entry to prev (the Hash of
// the entry before it) and sets Hash.
func (e *Entry) Seal(prev [32]byte) {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Prev = prev
	e.Hash = e.ComputeHash()
}

// ComputeHash returns the SHA-256 of the entry's canonical encoding; Hash
// itself is not part of it.
func (e *Entry) ComputeHash() [32]byte {
	var buf [256]byte
	return sha256.Sum256(e.AppendCanonical(buf[:0]))
}

// Canonical returns the canonical encoding of the entry, the bytes Hash is
// computed over. doc/audit.md gives it byte by byte.
func (e *Entry) Canonical() []byte { return e.AppendCanonical(nil) }

// AppendCanonical appends the canonical encoding of the entry to b: each
// field in a fixed order, variable-length ones behind a 4-byte big-endian
// length, so that no two different entries share an encoding.
func (e *Entry) AppendCanonical(b []byte) []byte {
	b = appendField(b, Domain)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = appendTime(b, e.At)
	b = appendField(b, e.Actor)
	b = appendField(b, e.Action)
	b = appendField(b, e.Object)
	b = append(b, e.Commitment[:]...)
	b = append(b, e.Prev[:]...)
	return b
}

// appendTime appends t in TimeFormat behind its length, formatting in place
// because this runs once per entry on every verification.
func appendTime(b []byte, t time.Time) []byte {
	at := len(b)
	b = t.UTC().AppendFormat(append(b, 0, 0, 0, 0), TimeFormat)
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Validate reports what is wrong with the entry's fields, if anything. It
// does not check the hash or the link; Verify does.
func (e *Entry) Validate() error {
	if p := e.problem(); p != "" {
		return fmt.Errorf("audit: seq %d: %s", e.Seq, p)
	}
	return nil
}

func (e *Entry) problem() string {
	switch y := e.At.UTC().Year(); {
	case e.Seq < 1:
		return "sequence numbers start at 1"
	case e.At.IsZero():
		return "no time"
	case y < 1 || y > 9999:
		return "time out of range"
	}
	for _, f := range [...]struct{ name, v string }{
		{"actor", e.Actor}, {"action", e.Action}, {"object", e.Object},
	} {
		switch {
		case f.v == "" && f.name != "object":
			return "no " + f.name
		case len(f.v) > MaxField:
			return fmt.Sprintf("%s longer than %d bytes", f.name, MaxField)
		case !utf8.ValidString(f.v):
			return f.name + " is not valid UTF-8"
		}
	}
	return ""
}
