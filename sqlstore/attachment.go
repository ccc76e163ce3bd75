package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/escalate-project/escalate"
)

// Attachments and the child's file: letters, emails and documents kept on
// an escalation, and the case as one download. Who may see them is who may
// see the escalation (escalate.Can, ActionView), checked here as for the
// case; adding one is open to the same people, even after the case closed,
// since written confirmation often comes afterwards. Every addition and
// every download is audited against the escalation.

const attachmentColumns = `a.id, a.name, a.kind, a.content_type, a.size, a.sha256, a.description, a.uploaded_by, a.uploaded`

// withCase runs fn in a transaction on escalation ref, loaded for the actor
// of ctx, who must be allowed to see it. No audit lock is taken first: the
// audit events fn writes are sealed onto the partnership's chain as the
// transaction commits (doc/audit.md).
func (s *EscalationService) withCase(ctx context.Context, ref string, fn func(tx *Tx, actor *escalate.User, row *escalationRow, pin *pinned) error) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		row, pin, err := tx.loadForActor(ref, actor, escalate.ActionView)
		if err != nil {
			return err
		}
		return fn(tx, actor, row, pin)
	})
}

func scanAttachment(r rowScanner) (escalate.Attachment, error) {
	var a escalate.Attachment
	err := r.Scan(&a.ID, &a.Name, &a.Kind, &a.ContentType, &a.Size, &a.SHA256, &a.Description, &a.UploadedBy, scanTime(&a.Uploaded))
	return a, err
}

// AddAttachment keeps a file on escalation ref after checking it by its
// content (escalate.AttachmentInput.Validate). Invalid input stores nothing
// and names the field.
func (s *EscalationService) AddAttachment(ctx context.Context, ref string, in escalate.AttachmentInput) (*escalate.Attachment, error) {
	var out *escalate.Attachment
	err := s.withCase(ctx, ref, func(tx *Tx, actor *escalate.User, row *escalationRow, _ *pinned) error {
		kind, err := in.Validate()
		if err != nil {
			return err
		}
		sum := sha256.Sum256(in.Data)
		a := escalate.Attachment{Name: in.Name, Kind: kind.Key, ContentType: kind.ContentType, Size: int64(len(in.Data)),
			SHA256: hex.EncodeToString(sum[:]), Description: in.Description, UploadedBy: actor.ID, Uploaded: tx.now}
		if err := tx.queryRow(`INSERT INTO attachments (escalation_id, name, kind, content_type, size, sha256, description,
			uploaded_by, uploaded, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			row.ID, a.Name, a.Kind, a.ContentType, a.Size, a.SHA256, a.Description, a.UploadedBy, timeArg(a.Uploaded),
			in.Data).Scan(&a.ID); err != nil {
			return err
		}
		out = &a
		return tx.Audit(fmt.Sprintf("user:%d", actor.ID), escalate.ActionAttachmentAdd, "escalation:"+row.Ref,
			map[string]any{"attachment": a.ID, "name": a.Name, "kind": a.Kind, "size": a.Size, "sha256": a.SHA256,
				"description": a.Description})
	})
	return out, err
}

// Attachments lists escalation ref's attachments, oldest first, without
// their content. Like Timeline it records nothing: the page that shows
// them recorded the view with Get.
func (s *EscalationService) Attachments(ctx context.Context, ref string) ([]escalate.Attachment, error) {
	var out []escalate.Attachment
	err := s.withCase(ctx, ref, func(tx *Tx, _ *escalate.User, row *escalationRow, _ *pinned) error {
		var err error
		out, err = tx.attachments(row.ID)
		return err
	})
	return out, err
}

func (tx *Tx) attachments(escalationID int64) ([]escalate.Attachment, error) {
	rows, err := tx.query(`SELECT `+attachmentColumns+` FROM attachments a WHERE a.escalation_id = $1 ORDER BY a.id`, escalationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachment returns attachment id of escalation ref with its content, and
// records the download. An attachment of another escalation, or of one the
// actor may not see, is not found.
func (s *EscalationService) Attachment(ctx context.Context, ref string, id int64) (*escalate.Attachment, []byte, error) {
	var (
		out  escalate.Attachment
		data []byte
	)
	err := s.withCase(ctx, ref, func(tx *Tx, actor *escalate.User, row *escalationRow, _ *pinned) error {
		r := tx.queryRow(`SELECT `+attachmentColumns+`, a.content FROM attachments a WHERE a.id = $1 AND a.escalation_id = $2`, id, row.ID)
		err := r.Scan(&out.ID, &out.Name, &out.Kind, &out.ContentType, &out.Size, &out.SHA256, &out.Description,
			&out.UploadedBy, scanTime(&out.Uploaded), &data)
		if notFound(WrapError(err)) {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such attachment.")
		} else if err != nil {
			return err
		}
		return tx.Audit(fmt.Sprintf("user:%d", actor.ID), escalate.ActionAttachmentDownload, "escalation:"+row.Ref,
			map[string]any{"attachment": out.ID, "name": out.Name})
	})
	if err != nil {
		return nil, nil, err
	}
	return &out, data, nil
}

// CaseFile returns everything the child's-file PDF of escalation ref
// holds, and records the download (escalate.ActionCaseFileDownload) in
// place of a view: the whole record is leaving the service.
func (s *EscalationService) CaseFile(ctx context.Context, ref string) (*escalate.CaseFile, error) {
	var out *escalate.CaseFile
	err := s.withCase(ctx, ref, func(tx *Tx, actor *escalate.User, row *escalationRow, pin *pinned) error {
		f := &escalate.CaseFile{Escalation: row.Escalation, Policy: pin.policy}
		var err error
		if f.Parties, err = tx.parties(pin.policy, row.Escalation); err != nil {
			return err
		}
		if f.Events, err = tx.timeline(row.Ref); err != nil {
			return err
		}
		if f.Attachments, err = tx.attachments(row.ID); err != nil {
			return err
		}
		out = f
		return tx.Audit(fmt.Sprintf("user:%d", actor.ID), escalate.ActionCaseFileDownload, "escalation:"+row.Ref,
			map[string]any{"format": "pdf", "version": row.Version})
	})
	return out, err
}
