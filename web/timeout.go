package web

import (
	"strconv"
	"time"
)

// The session timeout warning (doc/web.md): a signed-in page carries the
// idle timeout and how long before it to warn, and app.js opens a GOV.UK
// style modal dialog ("You're about to be signed out") that long before
// the session would end: "Stay signed in" reaches GET /session/keepalive,
// which keeps the session alive; "Sign out" signs out. When the time runs
// out, the page goes to the sign-in page, which says why; what was typed
// into a form was kept as a draft all along (drafts.go).

// timeoutWarning is how long before the session ends the warning opens:
// two minutes, as GOV.UK's pattern suggests, or a third of a short
// timeout.
func timeoutWarning(idle time.Duration) time.Duration {
	return min(2*time.Minute, idle/3)
}

// sessionTiming is what the layout puts on a signed-in page's body for
// app.js: seconds until the session ends unused, and before that to warn.
type sessionTiming struct {
	Timeout, Warning string
}

func (s *Server) sessionTiming() sessionTiming {
	// The store notes a session's use at most once a minute, so it may
	// end up to a minute before the page's own count says: count a
	// minute short.
	end := s.idle
	if end > 3*time.Minute {
		end -= time.Minute
	}
	return sessionTiming{Timeout: strconv.Itoa(int(end.Seconds())), Warning: strconv.Itoa(int(timeoutWarning(end).Seconds()))}
}

// durationWords says a timeout in words: "30 minutes", "1 hour".
func durationWords(d time.Duration) string {
	switch m := int(d.Round(time.Minute).Minutes()); {
	case d < 2*time.Minute && d%time.Minute != 0:
		return strconv.Itoa(int(d.Seconds())) + " seconds"
	case m == 1:
		return "1 minute"
	case m%60 == 0 && m == 60:
		return "1 hour"
	case m%60 == 0:
		return strconv.Itoa(m/60) + " hours"
	default:
		return strconv.Itoa(m) + " minutes"
	}
}
