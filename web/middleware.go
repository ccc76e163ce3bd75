package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/escalate-project/escalate"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// govuk-frontend is started by our own static/app.js.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// reqLog is filled in as a request goes down the chain, for its log line.
type reqLog struct {
	userID int64
	route  string // the ServeMux pattern the request matched, for metrics
}

type reqLogKey struct{}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: method, path without the query
// (which may hold personal data), status, duration and the user's ID, never
// their name or email. It turns a panic into a 500.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqLog{}
		r = r.WithContext(context.WithValue(r.Context(), reqLogKey{}, info))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if sw.status == 0 {
					http.Error(sw, "Sorry, there is a problem with the service. Try again later.", http.StatusInternalServerError)
				}
			}
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000)}
			if info.userID != 0 {
				attrs = append(attrs, slog.Int64("user_id", info.userID))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			if s.observe != nil {
				s.observe(info.route, r.Method, sw.status, time.Since(start))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

type partnershipKey struct{}

// endedKey carries the *escalate.SessionEnded of a request whose session
// had just timed out.
type endedKey struct{}

// signedInUser returns the user and partnership the session middleware put
// in r's context, or nils.
func signedInUser(r *http.Request) (*escalate.User, *escalate.Partnership) {
	p, _ := r.Context().Value(partnershipKey{}).(*escalate.Partnership)
	return escalate.UserFromContext(r.Context()), p
}

// withSession returns r with the session's user in its context, if the
// cookie names a live, full session. A dead session's cookie is cleared; a
// session still waiting for a second factor keeps its cookie, and its stage
// goes in the context for signedIn.
func (s *Server) withSession(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	token := s.sessionToken(r)
	if token == "" {
		return r, nil
	}
	u, p, stage, err := s.auth.Pending(r.Context(), token)
	if escalate.ErrorCode(err) == escalate.EUNAUTHORIZED {
		s.clearCookie(w)
		var ended *escalate.SessionEnded
		if errors.As(err, &ended) {
			r = r.WithContext(context.WithValue(r.Context(), endedKey{}, ended))
		}
		return r, nil
	} else if err != nil {
		return r, err
	}
	if stage != escalate.StageFull {
		return r.WithContext(context.WithValue(r.Context(), stageKey{}, stage)), nil
	}
	if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
		info.userID = u.ID
	}
	return r.WithContext(withSignedIn(r.Context(), u, p)), nil
}

// stageKey holds the stage of a session waiting for a second factor.
type stageKey struct{}

// withSignedIn is ctx carrying the signed-in user and their partnership.
func withSignedIn(ctx context.Context, u *escalate.User, p *escalate.Partnership) context.Context {
	return context.WithValue(escalate.NewContextWithUser(ctx, u), partnershipKey{}, p)
}

// signedIn lets only signed-in users reach h; others are sent to sign in.
func (s *Server) signedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r, err := s.withSession(w, r)
		if err != nil {
			return err
		}
		if escalate.UserFromContext(r.Context()) == nil {
			// A sign-in waiting for a second factor goes on with it.
			if stage, ok := r.Context().Value(stageKey{}).(string); ok {
				http.Redirect(w, r, stagePath(stage), http.StatusSeeOther)
				return nil
			}
			ended, _ := r.Context().Value(endedKey{}).(*escalate.SessionEnded)
			if ended != nil {
				s.keepTimedOut(w, r, ended)
			}
			http.Redirect(w, r, signInAgain(r, ended), http.StatusSeeOther)
			return nil
		}
		// An error is shown here, with the signed-in request, so the page
		// keeps the service navigation.
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
		return nil
	}
}

// cookieName is the session cookie's name. The __Host- prefix binds it to
// this host and path /, but browsers accept it only with Secure, so a
// plain-http demo drops the prefix along with Secure.
func (s *Server) cookieName() string {
	if s.secure {
		return "__Host-escalate_session"
	}
	return "escalate_session"
}

func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

// setCookie sends the session cookie. It has no Max-Age, so the browser
// forgets it when it closes; the server ends it after the idle timeout or
// the lifetime, whichever comes first.
func (s *Server) setCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: token, Path: "/",
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// withRoute records, for metrics, the pattern the mux matched: ServeMux
// sets r.Pattern on the request it routes, which the outer middleware does
// not hold.
func withRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
			info.route = r.Pattern
		}
	})
}
