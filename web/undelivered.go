package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// Undelivered notifications: the partnership's outbox rows that could not
// be emailed after every attempt (doc/notifications.md). Administrators see
// them and send them again; the Business Manager, who oversees the
// partnership, may see them but not retry. A retry is audited by the store.

// undeliveredRow is one dead notification as the page lists it.
type undeliveredRow struct {
	escalate.UndeliveredNotification
	What, DeadAt string
	// Link is the page of the escalation or dissent it was about.
	Link string
}

type undeliveredView struct {
	Nav      []orgNavLink
	Rows     []undeliveredRow
	CanRetry bool
	Retried  bool
}

func (s *Server) undeliveredPage(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminReaders, "see undelivered notifications"); err != nil {
		return err
	}
	us, err := s.notes.Undelivered(r.Context(), p.ID)
	if err != nil {
		return err
	}
	v := &undeliveredView{Nav: orgNav(u, "/admin"), CanRetry: orgHasAny(u, adminWriters),
		Retried: r.URL.Query().Get("done") == "retried"}
	for _, d := range us {
		what, _ := noticeWords(escalate.Notification{SubjectKey: d.SubjectKey})
		row := undeliveredRow{UndeliveredNotification: d, What: what, DeadAt: londonTime(d.DeadAt)}
		if d.Ref != "" {
			row.Link = "/escalations/" + url.PathEscape(d.Ref)
			if strings.HasPrefix(d.SubjectKey, "dissent-") {
				row.Link = "/dissents/" + url.PathEscape(d.Ref)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "undelivered-page", &page{Title: "Undelivered notifications", Data: v})
	return nil
}

func (s *Server) undeliveredRetry(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminWriters, "send undelivered notifications again"); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return escalate.Errorf(escalate.ENOTFOUND, "There is no such undelivered notification.")
	}
	if err := s.notes.RetryUndelivered(r.Context(), p.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/undelivered?done=retried", http.StatusSeeOther)
	return nil
}
