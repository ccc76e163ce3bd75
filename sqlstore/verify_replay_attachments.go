package sqlstore

import (
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// Replaying a case's attachments (letters, emails and documents kept for
// the child's file): each stored attachment's metadata is what its
// escalation.attachment.add event says, and each attachment an event adds
// is stored, until retention erases the case. The content itself is not
// read: its SHA-256 is compared as stored, column against event.

// replayAttachment is an attachment as its event says, with the event.
type replayAttachment struct {
	escalate.Attachment
	seq int64
	at  time.Time // the event's time: the row's upload is no later, and hardly earlier
}

// addAttachment folds an escalation.attachment.add event into c.
func (c *replayCase) addAttachment(ev *replayEvent, d *replayData) {
	c.attachments[d.Attachment] = replayAttachment{Attachment: escalate.Attachment{ID: d.Attachment, Name: d.Name,
		Kind: d.Kind, Size: d.Size, SHA256: d.SHA256, Description: d.Description, UploadedBy: ev.actorID()},
		seq: ev.seq, at: ev.at}
	c.mark(ev.seq, fmt.Sprintf("attachment %d", d.Attachment))
}

// readAttachments adds to each case of byID, escalations lo..hi, its
// stored attachments' metadata.
func (r *replayer) readAttachments(byID map[int64]*storedCase, lo, hi int64) error {
	return r.each(`SELECT escalation_id, a.id, a.name, a.kind, a.size, a.sha256, a.description, a.uploaded_by, a.uploaded
		FROM attachments a WHERE escalation_id >= $1 AND escalation_id <= $2`, lo, hi,
		func(sc rowScanner, id *int64) error {
			var a escalate.Attachment
			err := sc.Scan(&a.ID, &a.Name, &a.Kind, &a.Size, &a.SHA256, &a.Description, &a.UploadedBy, scanTime(&a.Uploaded))
			if s := byID[*id]; err == nil && s != nil {
				if s.attachments == nil {
					s.attachments = map[int64]escalate.Attachment{}
				}
				s.attachments[a.ID] = a
			}
			return err
		})
}

// compareAttachments returns the first attachment, in ID order, stored
// otherwise than c's events say: deleted, added with no event, or with
// other metadata.
func (c *replayCase) compareAttachments(got map[int64]escalate.Attachment) *ReplayFailure {
	for _, id := range sortedKeys(c.attachments, got) {
		field := fmt.Sprintf("attachment %d", id)
		w, inEvents := c.attachments[id]
		g, stored := got[id]
		uploaded := g.Uploaded.Truncate(time.Microsecond)
		switch {
		case !stored:
			return c.fail(field, "an event attaches it, but it is not stored")
		case !inEvents:
			return c.fail(field, "stored, but no event attaches it")
		case w.Name != g.Name || w.Kind != g.Kind || w.Size != g.Size || w.SHA256 != g.SHA256 ||
			w.Description != g.Description || w.UploadedBy != g.UploadedBy:
			return c.fail(field, "the stored metadata differs from what the events say")
		case uploaded.After(w.at) || w.at.Sub(uploaded) > time.Minute:
			return c.fail(field+": uploaded", "the stored value differs from what the events say")
		}
	}
	return nil
}
