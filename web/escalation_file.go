package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
)

// The child's file (doc/web.md): the escalation as a PDF to put on the
// child's record, which Redbridge 4.3, Hammersmith & Fulham and Surrey ask
// for, and the letters, emails and documents attached to the case, such as
// the written confirmation of an outcome. Who may see them is who may see
// the case; every download is audited by the store.

// CaseFiles is what the child's file needs beside the escalation service:
// *sqlstore.EscalationService.
type CaseFiles interface {
	// CaseFile returns the case for its PDF, recording the download.
	CaseFile(ctx context.Context, ref string) (*escalate.CaseFile, error)
	AddAttachment(ctx context.Context, ref string, in escalate.AttachmentInput) (*escalate.Attachment, error)
	// Attachments lists the case's attachments without recording anything.
	Attachments(ctx context.Context, ref string) ([]escalate.Attachment, error)
	// Attachment returns one with its content, recording the download.
	Attachment(ctx context.Context, ref string, id int64) (*escalate.Attachment, []byte, error)
}

// caseFiles is the escalation service as CaseFiles, or nil.
func (s *Server) caseFiles() CaseFiles {
	f, _ := s.esc.(CaseFiles)
	return f
}

// caseFileRoutes adds the child's-file PDF and the attachments.
func (s *Server) caseFileRoutes(mux *http.ServeMux) {
	if s.esc == nil || s.caseFiles() == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /escalations/{ref}/file.pdf", s.caseFilePDF)
	page("GET /escalations/{ref}/attach", s.attachForm)
	page("POST /escalations/{ref}/attach", s.attachPost)
	page("GET /escalations/{ref}/attachments/{id}", s.attachmentDownload)
}

// attachmentView is one attachment as the escalation page lists it.
type attachmentView struct {
	Href, Name, Kind, Size, Added, Description string
}

// caseAttachments lists the case's attachments for the escalation page.
func (s *Server) caseAttachments(ctx context.Context, v *caseView) ([]attachmentView, error) {
	files := s.caseFiles()
	if files == nil {
		return nil, nil
	}
	as, err := files.Attachments(ctx, v.E.Ref)
	if err != nil {
		return nil, err
	}
	out := make([]attachmentView, len(as))
	for i, a := range as {
		out[i] = attachmentView{Href: "/escalations/" + v.E.Ref + "/attachments/" + strconv.FormatInt(a.ID, 10),
			Name: a.Name, Kind: kindWords(a.Kind), Size: escalate.SizeWords(a.Size),
			Added: v.People[a.UploadedBy] + ", " + londonTime(a.Uploaded), Description: a.Description}
	}
	return out, nil
}

// filesSection adds the child's file to the escalation page: the
// attachments, the PDF and attaching, for everyone who may see the case.
func (s *Server) filesSection(r *http.Request, v *caseView, d *escalationData) error {
	if s.caseFiles() == nil {
		return nil
	}
	as, err := s.caseAttachments(r.Context(), v)
	if err != nil {
		return err
	}
	d.Files, d.Attachments = true, as
	if r.URL.Query().Get("done") == "attach" {
		d.Banner = "File attached"
	}
	return nil
}

// kindWords names an attachment's kind.
func kindWords(key string) string {
	for _, k := range escalate.AttachmentKinds {
		if k.Key == key {
			return k.Name
		}
	}
	return key
}

// attachData is the attach form.
type attachData struct {
	Ref, Stage  string
	Description string
	Max         string
}

func (s *Server) attachForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	s.renderAttach(w, r, http.StatusOK, v.E.Ref, stageTitle(v.Policy, v.E.Stage), "", nil)
	return nil
}

func (s *Server) renderAttach(w http.ResponseWriter, r *http.Request, status int, ref, stage, desc string, errs []fieldError) {
	title := "Attach a letter, email or document – " + ref
	if errs != nil {
		title = "Error: " + title
	}
	s.render(w, r, status, "escalation-attach", &page{Title: title, Errors: errs,
		Data: &attachData{Ref: ref, Stage: stage, Description: desc, Max: strconv.Itoa(escalate.MaxAttachmentSize>>20) + " MB"}})
}

// attachPost keeps an uploaded file on the case. Access is checked before
// the upload is read, so a stranger learns nothing from the file's errors.
func (s *Server) attachPost(w http.ResponseWriter, r *http.Request) error {
	ctx, ref := r.Context(), r.PathValue("ref")
	v, err := s.loadCase(ctx, ref)
	if err != nil {
		return err
	}
	ref = v.E.Ref
	stage := stageTitle(v.Policy, v.E.Stage)
	r.Body = http.MaxBytesReader(w, r.Body, escalate.MaxAttachmentSize+256<<10)
	err = r.ParseMultipartForm(1 << 20)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.renderAttach(w, r, http.StatusRequestEntityTooLarge, ref, stage, "",
			[]fieldError{{"file", fmt.Sprintf("The selected file must be smaller than %d MB", escalate.MaxAttachmentSize>>20)}})
		return nil
	case err != nil:
		s.renderAttach(w, r, http.StatusBadRequest, ref, stage, "", []fieldError{{"file", "Select a file to attach"}})
		return nil
	}
	defer r.MultipartForm.RemoveAll()
	desc := r.PostFormValue("description")
	in := escalate.AttachmentInput{Description: desc}
	f, h, err := r.FormFile("file")
	if err == nil {
		defer f.Close()
		in.Name = h.Filename
		if in.Data, err = io.ReadAll(io.LimitReader(f, escalate.MaxAttachmentSize+1)); err != nil {
			return err
		}
	}
	_, err = s.caseFiles().AddAttachment(ctx, ref, in)
	if escalate.ErrorCode(err) == escalate.EINVALID {
		field := escalate.ErrorField(err)
		if field != "description" {
			field = "file"
		}
		s.renderAttach(w, r, http.StatusBadRequest, ref, stage, desc, []fieldError{{field, strings.TrimSuffix(escalate.ErrorMessage(err), ".")}})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/escalations/"+ref+"?done=attach#attachments", http.StatusSeeOther)
	return nil
}

// attachmentDownload sends an attachment as a download, never shown in
// the page: its type is the one its content was checked to be.
func (s *Server) attachmentDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return escalate.Errorf(escalate.ENOTFOUND, "There is no such attachment.")
	}
	a, data, err := s.caseFiles().Attachment(r.Context(), r.PathValue("ref"), id)
	if err != nil {
		return err
	}
	sendFile(w, a.ContentType, a.Name, data)
	return nil
}

// sendFile sends data as a file to save, not to open in the page.
func sendFile(w http.ResponseWriter, ctype, name string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", contentDisposition(name))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// contentDisposition names a download: an ASCII fallback for old browsers
// and the name in UTF-8 (RFC 6266).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// caseFilePDF is "Download for the child's file": the case as a PDF.
func (s *Server) caseFilePDF(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := s.caseFiles().CaseFile(ctx, r.PathValue("ref"))
	if err != nil {
		return err
	}
	v := &caseView{E: f.Escalation, Policy: f.Policy, Parties: f.Parties, Events: f.Events, Now: s.esc.Now()}
	if v.People, v.Agencies, err = s.esc.Names(ctx); err != nil {
		return err
	}
	u := escalate.UserFromContext(ctx)
	var b bytes.Buffer
	if err := report.WriteDocument(&b, v.caseDocument(f.Attachments, v.People[u.ID])); err != nil {
		return err
	}
	sendFile(w, "application/pdf", "escalation-"+v.E.Ref+".pdf", b.Bytes())
	return nil
}
