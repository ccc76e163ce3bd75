package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// In-app notifications (doc/notifications.md "In-app notifications"): every
// notification the outbox holds for the signed-in user, newest first, and
// an unread count in the header of every signed-in page. Like the emails,
// they carry an escalation's reference, what happened, the action needed
// and the deadline: never child data.

// NotificationStore lists in-app notifications and undelivered emails.
// *sqlstore.DB implements it.
type NotificationStore interface {
	// Notifications returns up to limit of u's notifications, newest first.
	Notifications(ctx context.Context, u *escalate.User, limit int) ([]escalate.Notification, error)
	// UnreadNotifications counts u's unread notifications, up to a cap.
	UnreadNotifications(ctx context.Context, u *escalate.User) (int, error)
	// MarkNotificationsRead marks userID's notifications up to id upto
	// read (0: all there are now).
	MarkNotificationsRead(ctx context.Context, userID, upto int64) error
	// Undelivered lists the partnership's notifications that could not be
	// emailed, most recently given up first.
	Undelivered(ctx context.Context, partnershipID int64) ([]escalate.UndeliveredNotification, error)
	// RetryUndelivered sends the partnership's undelivered notification id
	// again, audited; ENOTFOUND for another partnership's.
	RetryUndelivered(ctx context.Context, partnershipID, id int64) error
}

// notificationsShown is how many notifications the page lists.
const notificationsShown = 100

// unreadShown is where the header's count stops: beyond it, "99+".
const unreadShown = 99

// notificationRoutes adds the Notifications page and the undelivered
// notifications page for administrators.
func (s *Server) notificationRoutes(mux *http.ServeMux) {
	if s.notes == nil {
		return
	}
	mux.Handle("GET /notifications", s.handle(s.signedIn(s.notificationsPage)))
	mux.Handle("POST /notifications/read", s.handle(s.signedIn(s.notificationsRead)))
	mux.Handle("GET /admin/undelivered", s.handle(s.signedIn(s.undeliveredPage)))
	mux.Handle("POST /admin/undelivered/{id}/retry", s.handle(s.signedIn(s.undeliveredRetry)))
}

// inboxBadge is the header's Notifications item: Count is "3", "99+" or "".
type inboxBadge struct{ Count string }

// badge returns the header item for u, nil without a store. A failure to
// count is logged and shows the item without a count: the page itself
// must not fail for it.
func (s *Server) badge(r *http.Request, u *escalate.User) *inboxBadge {
	if s.notes == nil || u == nil {
		return nil
	}
	n, err := s.notes.UnreadNotifications(r.Context(), u)
	if err != nil {
		s.log.ErrorContext(r.Context(), "unread notifications", "err", err)
		return &inboxBadge{}
	}
	switch {
	case n > unreadShown:
		return &inboxBadge{Count: strconv.Itoa(unreadShown) + "+"}
	case n > 0:
		return &inboxBadge{Count: strconv.Itoa(n)}
	}
	return &inboxBadge{}
}

// noticeRow is one notification as the page shows it.
type noticeRow struct {
	escalate.Notification
	Link, Happened, Action, Deadline, When string
	Account                                bool // about sign-in or roles, not an escalation
}

type notificationsView struct {
	Rows   []noticeRow
	Newest int64 // the newest id shown: "Mark all as read" marks up to it
	Unread int
	Marked bool
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := signedInUser(r)
	ns, err := s.notes.Notifications(r.Context(), u, notificationsShown)
	if err != nil {
		return err
	}
	now := s.partnershipNow()
	v := &notificationsView{Marked: r.URL.Query().Get("done") == "read"}
	for _, n := range ns {
		row := noticeRow{Notification: n, When: londonTime(n.Created)}
		row.Happened, row.Action = noticeWords(n)
		if strings.HasPrefix(n.SubjectKey, "policy-review-") {
			row.Link = "/policy/change"
		}
		if n.SubjectKey == "good-practice" {
			row.Link = "/good-practice"
		}
		switch {
		case n.Now == escalate.NoticeClockDone:
			row.Action = "Done since: this deadline has been met, or its stage has ended."
			n.Due = time.Time{}
		case n.Now != "" && strings.HasPrefix(n.Kind, "clock."):
			row.Action = "No action is needed: the escalation is now " + strings.ToLower(escalate.Status(n.Now).Words()) + "."
			n.Due = time.Time{}
		case n.Now != "":
			row.Action += " The escalation is now " + strings.ToLower(escalate.Status(n.Now).Words()) + "."
		}
		if n.Ref != "" {
			row.Link = "/escalations/" + url.PathEscape(n.Ref)
			if strings.HasPrefix(n.SubjectKey, "dissent-") {
				row.Link = "/dissents/" + url.PathEscape(n.Ref)
			}
		}
		row.Account = strings.HasPrefix(n.SubjectKey, "account-")
		if n.SubjectKey == "account-oversight-granted" {
			row.Link = "/admin/role-changes"
		}
		if !n.Due.IsZero() {
			row.Deadline = noticeDue(n.Due, now)
		}
		if !n.Read {
			v.Unread++
		}
		v.Rows = append(v.Rows, row)
	}
	if len(ns) > 0 {
		v.Newest = ns[0].ID
	}
	s.render(w, r, http.StatusOK, "notifications-page", &page{Title: "Notifications", Data: v})
	return nil
}

func (s *Server) notificationsRead(w http.ResponseWriter, r *http.Request) error {
	u, _ := signedInUser(r)
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	var upto int64
	if v := r.PostForm.Get("upto"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
		}
		upto = n
	}
	if err := s.notes.MarkNotificationsRead(r.Context(), u.ID, upto); err != nil {
		return err
	}
	http.Redirect(w, r, "/notifications?done=read", http.StatusSeeOther)
	return nil
}

// noticeWords says what happened and the action needed, by the
// notification's message.
func noticeWords(n escalate.Notification) (happened, action string) {
	if w, ok := noticeMessages[n.SubjectKey]; ok {
		return w[0], w[1]
	}
	return "Something changed", "Open the escalation to see what changed."
}

// noticeMessages are the in-app words for each outbox subject key: what
// happened, and the action needed (notify's emails say the same).
var noticeMessages = map[string][2]string{
	"escalation-raised":       {"An escalation was raised", "Read the escalation and respond within the policy's timescale."},
	"record-added":            {"A record was added", "Read the new record and take any action it asks of you."},
	"outcome-agreed":          {"An outcome was agreed", "Read the agreed outcome and confirm it in writing."},
	"outcome-confirmed":       {"The outcome was confirmed", "No action is needed unless you disagree with the outcome."},
	"escalated":               {"The escalation moved to the next stage", "Read the escalation and act on it at this stage."},
	"party-added":             {"You were named as dealing with this escalation", "Read the escalation and act on it at this stage."},
	"party-named":             {"Someone was named to deal with this escalation", "See who deals with it now on the escalation page."},
	"party-removed":           {"Someone is no longer named on this escalation", "Check who deals with it now on the escalation page."},
	"meeting-chair":           {"A chair was appointed for the meeting", "If it is you: convene the meeting, then record it and its outcome."},
	"determined":              {"A determination was made", "Read the determination and act on any recommendations."},
	"redirected":              {"The escalation was redirected", "No action is needed: the matter left the escalation process."},
	"withdrawn":               {"The escalation was withdrawn", "No action is needed."},
	"clock-reminder":          {"A deadline is coming", "Act before the policy's timescale falls due."},
	"clock-overdue":           {"A deadline was missed", "Act now, or escalate to the next stage."},
	"dissent-referred":        {"A conference dissent was referred to the Dissents Group", "Schedule it for a meeting of the Dissents Group."},
	"dissent-scheduled":       {"A conference dissent was scheduled for a meeting", "No action is needed: the group will review it."},
	"dissent-decided":         {"The Dissents Group made its decision", "Read the decision, feedback and recommendations, and act on them."},
	"dissent-report-reviewed": {"The investigation's report was reviewed", "Read the review; a strategy meeting action follows."},
	"dissent-closed":          {"A conference dissent was closed", "Read the strategy meeting action recorded on it."},
	"dissent-clock-reminder":  {"A conference dissent's deadline is coming", "Act before the timescale falls due."},
	"dissent-clock-overdue":   {"A conference dissent's deadline was missed", "Act now."},
	"immediate-risk":          {"Immediate risk was recorded", "Make sure the child is protected now; the disagreement can wait."},
	"proforma-new":            {"A proforma is ready for review", "Open Proformas to review it for the thematic report."},
	"learning-asked":          {"The escalation closed: what did we learn?", "Record any learning from it, and whether you have debriefed."},
	"learning-item":           {"Learning was recorded for the learning log", "Open the Learning log to assign it."},
	"pattern-flagged":         {"A pattern of escalations was flagged", "Open the Learning log to see the pattern."},
	"good-practice":           {"Another agency recognised your agency's good practice", "Read what they recorded."},
	"policy-review-soon":      {"The policy is due for review in a month", "Change the policy, or publish its next version."},
	"policy-review-due":       {"The policy is due for review today", "Change the policy, or publish its next version."},
	// Account messages (notify/account.go): about sign-in and roles.
	"account-oversight-granted": {"An oversight role was given in your partnership", "Open Role changes to see who was given it and by whom."},
	"account-password-changed":  {"Your password was changed", "If you did not change it, tell your partnership's administrator at once."},
	"account-factors-reset":     {"Your second factors were reset", "Set up a second factor again when you next sign in with your password."},
	"account-invite":            {"An invitation to set up your account was emailed", "Use the link in the email to set your password."},
	"account-reset":             {"A link to reset your password was emailed", "If you did not ask for it, you can ignore it."},
}

// noticeDue says a notification's deadline in plain words, judged now, on
// the England and Wales working-day calendar (the notification does not
// carry its policy's).
func noticeDue(due, now time.Time) string {
	return dueWords(escalate.ClockState{Status: escalate.ClockRunning, Due: due}, now, calendarOf(&escalate.Policy{}))
}
