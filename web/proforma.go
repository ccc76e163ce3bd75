package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
)

// Proformas: the Business Manager's queue of de-identified summaries of
// escalations resolved at a proforma stage (Wirral stages 2 and 3), each a
// page and a PDF and CSV download. Every view and download is recorded by
// the store.

type proformaRow struct {
	ID                      int64
	Title, Pair, Categories string
	Resolved, Status        string
	New                     bool
}

type proformasView struct {
	Nav      []orgNavLink
	Rows     []proformaRow
	Status   string
	Statuses []option
}

// proformaStatusWords are the queue's statuses as people read them.
var proformaStatusWords = map[string]string{escalate.ProformaNew: "New", escalate.ProformaReviewed: "Reviewed"}

func (s *Server) proformasPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if _, ok := proformaStatusWords[status]; !ok {
		status = ""
	}
	ps, err := s.learn.Proformas(r.Context(), status)
	if err != nil {
		return err
	}
	v := &proformasView{Nav: orgNav(u, "/proformas"), Status: status,
		Statuses: []option{{Value: "", Text: "Any status"}, {Value: escalate.ProformaNew, Text: "New"}, {Value: escalate.ProformaReviewed, Text: "Reviewed"}}}
	for _, p := range ps {
		v.Rows = append(v.Rows, proformaRow{ID: p.ID, Title: fmt.Sprintf("Stage %d: %s", p.Body.StageNumber, p.Body.StageName),
			Pair: p.Body.RaisingAgency + " with " + p.Body.ReceivingAgency, Categories: joinOr(p.Body.Categories, "None"),
			Resolved: dateWords(p.Body.Resolved), Status: proformaStatusWords[p.Status], New: p.Status == escalate.ProformaNew})
	}
	s.render(w, r, http.StatusOK, "proformas-page", &page{Title: "Proformas", Data: v})
	return nil
}

func joinOr(xs []string, none string) string {
	if len(xs) == 0 {
		return none
	}
	out := xs[0]
	for _, x := range xs[1:] {
		out += "; " + x
	}
	return out
}

type proformaView struct {
	Nav        []orgNavLink
	Banner     string
	P          *escalate.Proforma
	Title      string
	Tables     []report.Table
	Status     string
	CanReview  bool
	NextStatus string
	NextText   string
}

func (s *Server) proformaView(r *http.Request, u *escalate.User, p *escalate.Proforma) *proformaView {
	v := &proformaView{Nav: orgNav(u, "/proformas"), P: p, Title: report.ProformaTitle(p), Tables: report.ProformaTables(p),
		Status: proformaStatusWords[p.Status], CanReview: orgHasAny(u, learningKeepers)}
	v.NextStatus, v.NextText = escalate.ProformaReviewed, "Mark as reviewed"
	if p.Status == escalate.ProformaReviewed {
		v.NextStatus, v.NextText = escalate.ProformaNew, "Mark as new again"
	}
	return v
}

func (s *Server) proformaPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	id, err := pathID(r, "proforma")
	if err != nil {
		return err
	}
	p, err := s.learn.Proforma(r.Context(), id, "page")
	if err != nil {
		return err
	}
	v := s.proformaView(r, u, p)
	v.Banner = map[string]string{"reviewed": "Proforma marked as reviewed", "new": "Proforma marked as new"}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "proforma-page", &page{Title: v.Title, Data: v})
	return nil
}

func (s *Server) proformaStatus(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	id, err := pathID(r, "proforma")
	if err != nil {
		return err
	}
	if err := orgRequire(u, learningKeepers, "review proformas"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	status := r.PostForm.Get("status")
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	_, err = s.learn.ReviewProforma(r.Context(), id, version, status)
	switch escalate.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/proformas/%d?done=%s", id, status), http.StatusSeeOther)
		return nil
	case escalate.EINVALID, escalate.ECONFLICT:
		p, perr := s.learn.Proforma(r.Context(), id, "")
		if perr != nil {
			return perr
		}
		s.render(w, r, errorStatus(escalate.ErrorCode(err)), "proforma-page", &page{Title: "Error: " + report.ProformaTitle(p),
			Data: s.proformaView(r, u, p), Errors: []fieldError{{Field: "status", Message: escalate.ErrorMessage(err)}}})
		return nil
	}
	return err
}

// proformaDownload serves proforma {id} as a file, recording the download.
func (s *Server) proformaDownload(w http.ResponseWriter, r *http.Request, as, ctype string, write func(*bytes.Buffer, *escalate.Proforma) error) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	id, err := pathID(r, "proforma")
	if err != nil {
		return err
	}
	p, err := s.learn.Proforma(r.Context(), id, as)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, p); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="proforma-%d.%s"`, id, as))
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) proformaPDF(w http.ResponseWriter, r *http.Request) error {
	return s.proformaDownload(w, r, "pdf", "application/pdf", func(b *bytes.Buffer, p *escalate.Proforma) error {
		return report.WriteProformaPDF(b, p)
	})
}

func (s *Server) proformaCSV(w http.ResponseWriter, r *http.Request) error {
	return s.proformaDownload(w, r, "csv", "text/csv; charset=utf-8", func(b *bytes.Buffer, p *escalate.Proforma) error {
		return report.WriteProformaCSV(b, p)
	})
}
