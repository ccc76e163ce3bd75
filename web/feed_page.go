package web

import (
	"net/http"

	"github.com/escalate-project/escalate"
)

// calendarData is what /account/calendar shows.
type calendarData struct {
	Live    bool
	Created string // when the live link was made, in words
	Digest  bool
	FeedURL string // the new link, only on the response that made it
	Revoked bool   // the link was just stopped
	Saved   bool   // the digest choice was just saved
}

func (s *Server) calendarData(r *http.Request) (*calendarData, error) {
	live, created, digest, err := s.feeds.store.FeedStatus(r.Context())
	if err != nil {
		return nil, err
	}
	return &calendarData{Live: live, Created: tokenTime(created), Digest: digest}, nil
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.calendarData(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d.Revoked, d.Saved = q.Get("revoked") == "1", q.Get("saved") == "1"
	s.render(w, r, http.StatusOK, "feed-calendar", &page{Title: "Calendar and daily digest", Data: d})
	return nil
}

// calendarLink makes a new feed link, stopping the old one, and shows it
// on the response to the POST: only its hash is stored, so no later page
// can show it. Signed-in pages are no-store.
func (s *Server) calendarLink(w http.ResponseWriter, r *http.Request) error {
	secret, err := s.feeds.store.CreateFeed(r.Context())
	if err != nil {
		return err
	}
	d, err := s.calendarData(r)
	if err != nil {
		return err
	}
	d.FeedURL = s.baseURL(r) + "/feeds/" + secret + ".ics"
	s.render(w, r, http.StatusOK, "feed-calendar", &page{Title: "Calendar and daily digest", Data: d})
	return nil
}

func (s *Server) calendarRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := s.feeds.store.RevokeFeed(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/calendar?revoked=1", http.StatusSeeOther)
	return nil
}

func (s *Server) calendarDigest(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	var on bool
	switch r.PostForm.Get("digest") {
	case "yes":
		on = true
	case "no":
	default:
		d, err := s.calendarData(r)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "feed-calendar", &page{Title: "Calendar and daily digest", Data: d,
			Errors: []fieldError{{"digest", "Select yes if you want a daily digest email"}}})
		return nil
	}
	if err := s.feeds.store.SetDigest(r.Context(), on); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/calendar?saved=1", http.StatusSeeOther)
	return nil
}
