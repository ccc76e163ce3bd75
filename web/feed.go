package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// The personal calendar feed and the daily digest setting
// (doc/notifications.md, "Calendar feed and daily digest"): a signed-in
// user makes a secret feed URL on /account/calendar and pastes it into
// Outlook; /feeds/{secret}.ics then lists their running deadlines, with no
// child data and no cookie: the secret is the credential.

// FeedStore keeps feed secrets and the digest setting. *sqlstore.DB
// implements it; the server uses Config.Partnership when it does.
type FeedStore interface {
	// CreateFeed makes a new secret for the acting user, revoking any live
	// one.
	CreateFeed(ctx context.Context) (string, error)
	// RevokeFeed stops the acting user's live feed, if any.
	RevokeFeed(ctx context.Context) error
	// FeedStatus says whether the acting user has a live feed, since when,
	// and whether they asked for the daily digest.
	FeedStatus(ctx context.Context) (live bool, created time.Time, digest bool, err error)
	// SetDigest records the acting user's digest choice.
	SetDigest(ctx context.Context, on bool) error
	// FeedUser returns the user of a live secret, or ENOTFOUND.
	FeedUser(ctx context.Context, secret string) (*escalate.User, error)
}

// feedListLimit bounds the open escalations a feed reads.
const feedListLimit = 500

// feedConfig is what the feed pages need.
type feedConfig struct {
	store FeedStore
	base  string // Config.BaseURL, or "" to use the request's host
}

// newFeedConfig returns the feed pages' configuration, or nil when the
// server has no store for them.
func newFeedConfig(cfg Config) *feedConfig {
	st, ok := cfg.Partnership.(FeedStore)
	if !ok || cfg.Escalations == nil {
		return nil
	}
	return &feedConfig{store: st, base: strings.TrimRight(cfg.BaseURL, "/")}
}

// feedRoutes adds the calendar page and the feed itself.
func (s *Server) feedRoutes(mux *http.ServeMux) {
	if s.feeds == nil {
		return
	}
	mux.Handle("GET /account/calendar", s.handle(s.signedIn(s.calendarPage)))
	mux.Handle("POST /account/calendar/link", s.handle(s.signedIn(s.calendarLink)))
	mux.Handle("POST /account/calendar/revoke", s.handle(s.signedIn(s.calendarRevoke)))
	mux.Handle("POST /account/calendar/digest", s.handle(s.signedIn(s.calendarDigest)))
	mux.Handle("GET /feeds/{file}", s.handle(s.feed))
}

// baseURL is where users reach the service, for links in the feed.
func (s *Server) baseURL(r *http.Request) string {
	if s.feeds.base != "" {
		return s.feeds.base
	}
	scheme := "http"
	if s.secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// feed serves the calendar of the secret's user. The secret is taken out
// of the request's path first, so the request log never holds it.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	r.URL.Path, r.URL.RawPath = "/feeds/(secret).ics", ""
	if !ok {
		return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	u, err := s.feeds.store.FeedUser(r.Context(), secret)
	if err != nil {
		return err
	}
	ctx := escalate.NewContextWithUser(r.Context(), u)
	now := s.esc.Now()
	var turns []escalate.Turn
	if t, ok := s.esc.(Turner); ok {
		if turns, _, err = t.Turns(ctx, feedListLimit); err != nil {
			return err
		}
	}
	base := s.baseURL(r)
	host := "escalate"
	if bu, err := url.Parse(base); err == nil && bu.Hostname() != "" {
		host = bu.Hostname()
	}
	// One event per escalation waiting on the user: its next step that
	// names them, at its deadline (routing, as My work lists them).
	var evs []icsEvent
	for _, t := range turns {
		if t.Due.IsZero() && !t.Immediate {
			continue
		}
		at := t.Due
		if t.Immediate {
			at = now
		}
		e := t.Escalation
		link := base + "/escalations/" + url.PathEscape(e.Ref)
		evs = append(evs, icsEvent{
			UID:         fmt.Sprintf("%s-next@%s", e.Ref, host),
			At:          at,
			Summary:     fmt.Sprintf("Escalation %s: %s", e.Ref, t.What),
			URL:         link,
			Description: "Open the escalation to act on it: " + link,
		})
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("Content-Disposition", `inline; filename="escalate.ics"`)
	return writeICS(w, "Escalate deadlines", now, evs)
}
