package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/escalate-project/escalate"
)

// maxImportBytes bounds an uploaded contacts file: 5,000 rows of contact
// details are far less.
const maxImportBytes = 1 << 20

type contactImportView struct {
	Nav      []orgNavLink
	Problems []string
}

func (s *Server) contactImportForm(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, contactEditors, "import contacts"); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "contacts-import", &page{Title: "Import contacts", Data: &contactImportView{Nav: orgNav(u, "/contacts")}})
	return nil
}

// contactImport imports an uploaded CSV file, all or nothing. A bad file
// shows every bad row by line, and nothing is stored.
func (s *Server) contactImport(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, contactEditors, "import contacts"); err != nil {
		return err
	}
	v := &contactImportView{Nav: orgNav(u, "/contacts")}
	pg := &page{Title: "Import contacts", Data: v}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+64<<10)
	err := r.ParseMultipartForm(maxImportBytes)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		pg.Errors = []fieldError{{"file", "The selected file must be smaller than 1 MB"}}
	case err != nil:
		pg.Errors = []fieldError{{"file", "Select a CSV file"}}
	}
	if len(pg.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "contacts-import", pg)
		return nil
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("file")
	if err != nil {
		pg.Errors = []fieldError{{"file", "Select a CSV file"}}
		s.render(w, r, http.StatusBadRequest, "contacts-import", pg)
		return nil
	}
	defer f.Close()
	res, err := s.org.ImportContacts(r.Context(), p.ID, f)
	if escalate.ErrorCode(err) == escalate.EINVALID {
		v.Problems = res.Problems
		pg.Errors = []fieldError{{"file", escalate.ErrorMessage(err)}}
		s.render(w, r, http.StatusBadRequest, "contacts-import", pg)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/contacts?done=imported&added="+strconv.Itoa(res.Added)+"&updated="+strconv.Itoa(res.Updated), http.StatusSeeOther)
	return nil
}
