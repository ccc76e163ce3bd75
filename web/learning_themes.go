package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// The learning themes the Business Manager keeps (doc/learning.md): a
// learning item's theme is chosen from this list, so the board report
// counts "Thresholds" and "thresholds" as one. The list is shown on the
// learning log; the chair and vice chair read it, the Business Manager
// adds and removes themes.

// learningThemeRoutes adds the theme list's changes.
func (s *Server) learningThemeRoutes(mux *http.ServeMux) {
	if s.learn == nil {
		return
	}
	mux.Handle("POST /learning/themes", s.handle(s.signedIn(s.learningThemeAdd)))
	mux.Handle("POST /learning/themes/{id}/remove", s.handle(s.signedIn(s.learningThemeRemove)))
}

// themeKeeper checks that u may change the theme list: to anyone who may
// not read the log it does not exist.
func themeKeeper(u *escalate.User) error {
	if err := learningReader(u); err != nil {
		return err
	}
	return orgRequire(u, learningKeepers, "change the list of themes")
}

func (s *Server) learningThemeAdd(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := themeKeeper(u); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	name := r.PostForm.Get("theme")
	_, err := s.learn.AddLearningTheme(r.Context(), name)
	if escalate.ErrorCode(err) == escalate.EINVALID {
		v, verr := s.learningView(r, u, escalate.LearningFilter{})
		if verr != nil {
			return verr
		}
		v.NewTheme = strings.TrimSpace(name)
		s.render(w, r, http.StatusBadRequest, "learning-page", &page{Title: "Error: Learning log", Data: v,
			Errors: []fieldError{{Field: "new-theme", Message: escalate.ErrorMessage(err)}}})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/learning?done=theme-added#themes", http.StatusSeeOther)
	return nil
}

func (s *Server) learningThemeRemove(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := themeKeeper(u); err != nil {
		return err
	}
	id, err := pathID(r, "theme")
	if err != nil {
		return err
	}
	if err := s.learn.RemoveLearningTheme(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/learning?done=theme-removed#themes", http.StatusSeeOther)
	return nil
}

// themeOptions are the item form's choices of theme: none, every theme on
// the list, and the item's own theme if it is not listed (given before the
// list existed), so saving the item can keep it.
func themeOptions(themes []escalate.LearningTheme, current string) []option {
	out := []option{{Value: "", Text: "No theme yet"}}
	for _, t := range themes {
		out = append(out, option{Value: t.Name, Text: t.Name})
	}
	if strings.TrimSpace(current) != "" {
		if _, ok := escalate.MatchTheme(themes, current); !ok {
			out = append(out, option{Value: current, Text: current + " (not on the list of themes)"})
		}
	}
	return out
}

// themeID is a theme's ID for its remove form's action.
func themeID(t escalate.LearningTheme) string { return strconv.FormatInt(t.ID, 10) }
