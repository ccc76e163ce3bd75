package sqlstore

import (
	"fmt"

	"github.com/escalate-project/escalate"
)

// Subject access and attachments (escalate.SubjectAttachment): a child's
// export holds every file kept on the cases about them, with its content;
// a member of staff's lists the files they uploaded, without it.

// subjectFiles returns the attachments matching cond (on a, the
// attachment, and e, its escalation, in the partnership), by case and id,
// with content when withContent. Each uploader is a third party unless the
// subject; each file is listed for the officer to read for others it names.
func (s *subjectRun) subjectFiles(cond string, arg any, withContent bool) ([]escalate.SubjectAttachment, error) {
	content := "NULL"
	if withContent {
		content = "a.content"
	}
	rows, err := s.tx.QueryContext(s.tx.ctx, `SELECT e.ref, e.child_ref, e.child_initials, `+attachmentColumns+`, `+content+`
		FROM attachments a JOIN escalations e ON e.id = a.escalation_id
		WHERE `+cond+` AND e.partnership_id = $2 ORDER BY e.ref, a.id`, arg, s.partnership)
	if err != nil {
		return nil, err
	}
	type file struct {
		ref, child, initials string
		a                    escalate.Attachment
		data                 []byte
	}
	var files []file
	for rows.Next() {
		var f file
		if err := rows.Scan(&f.ref, &f.child, &f.initials, &f.a.ID, &f.a.Name, &f.a.Kind, &f.a.ContentType, &f.a.Size, &f.a.SHA256,
			&f.a.Description, &f.a.UploadedBy, scanTime(&f.a.Uploaded), &f.data); err != nil {
			rows.Close()
			return nil, err
		}
		files = append(files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []escalate.SubjectAttachment{}
	for _, f := range files {
		where := fmt.Sprintf("attachment %d of %s", f.a.ID, f.ref)
		if s.subject != 0 {
			// A member of staff's export: the case's child is a third party.
			s.third("child", f.child+" ("+f.initials+")", where)
		}
		what := ": read its description for others it names"
		if withContent {
			what = ": read its description and content for others it names"
		}
		s.third("attachment", f.a.Name, where+what)
		out = append(out, escalate.SubjectAttachment{Case: f.ref, ID: f.a.ID, Name: f.a.Name, Kind: f.a.Kind,
			ContentType: f.a.ContentType, Size: f.a.Size, SHA256: f.a.SHA256, Description: f.a.Description,
			UploadedBy: s.user(f.a.UploadedBy, where+": uploaded by"), Uploaded: f.a.Uploaded, Content: f.data})
	}
	return out, nil
}
