package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
)

func init() {
	register("subject-access", "export everything held about a member of staff or a child, as PDF or JSON", runSubjectAccess)
}

// runSubjectAccess writes a subject access export to --out, mode 0600,
// never over an existing file. The export is audited as the console's.
func runSubjectAccess(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("subject-access")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "a member of staff's email address: their account, what they did and what they wrote")
	child := fs.String("child-ref", "", "a child's reference, as the raising agency gave it: every case about them")
	format := fs.String("format", "pdf", "pdf or json")
	out := fs.String("out", "", "the file to write (never overwritten)")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	q := escalate.SubjectQuery{Email: *email, ChildRef: *child}
	switch {
	case (*email == "") == (*child == ""):
		return usagef("give one of --email EMAIL or --child-ref REF")
	case *email != "":
		q.Kind = escalate.SubjectStaff
	default:
		q.Kind = escalate.SubjectChild
	}
	if *format != "pdf" && *format != "json" {
		return usagef("--format %q: want pdf or json", *format)
	}
	if err := requireFlags("out", *out); err != nil {
		return err
	}
	if _, err := os.Stat(*out); !errors.Is(err, iofs.ErrNotExist) {
		return usagef("--out %s already exists: an export is never written over a file", *out)
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, false)
	if err != nil {
		return err
	}
	defer db.Close()
	q.PartnershipID = p
	x, err := db.SubjectAccess(cliContext(ctx, env), q)
	if err != nil {
		return cliError(err, "child_ref", "child-ref")
	}
	var buf bytes.Buffer
	if *format == "pdf" {
		err = report.WriteSubjectAccessPDF(&buf, x)
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(x)
	}
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	files := len(x.Uploaded)
	for _, c := range x.Cases {
		files += len(c.Attachments)
	}
	fmt.Fprintf(env.Stdout, "wrote %s: %d cases, %d actions, %d attachments, %d third parties to consider for redaction\n",
		*out, len(x.Cases), len(x.Actions), files, len(x.ThirdParties))
	return nil
}
