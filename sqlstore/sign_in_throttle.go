package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/escalate-project/escalate"
)

// Throttling of password sign-in (doc/web.md, "Throttling"). Nothing locks
// an account: failures slow down the client that makes them, never the
// person whose account it is. Failures are counted in the database, so the
// delays hold across app instances, by two keys:
//
//   - the account and the client together: after FreePairFailures failures
//     in FailureWindow, that client must wait before trying that account
//     again, 1 second after the next failure and doubling with each, up to
//     MaxPairDelay. The real person, from their own client, is not slowed.
//   - the client alone, whatever the account (password spraying): after
//     FreeClientFailures failures, the same doubling up to MaxClientDelay.
//
// A client is its IP address, or for IPv6 its /64, which one household or
// office usually holds whole. A refused attempt is not counted and checks no
// password; a success clears only its own client's failures for the account.
const (
	FailureWindow      = 15 * time.Minute
	FreePairFailures   = 5
	FreeClientFailures = 50
	MaxPairDelay       = 5 * time.Minute
	MaxClientDelay     = time.Minute
)

// throttleDelay is the wait after the n-th failure, when free come free.
func throttleDelay(n, free int, ceiling time.Duration) time.Duration {
	if n < free {
		return 0
	}
	d := time.Second << min(n-free, 20)
	return min(d, ceiling)
}

// clientKey is what failures are counted by for ip: the address, or an IPv6
// address's /64. Anything unparsable is used as it is.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// throttleWait returns how long the client must still wait before trying
// the account, and the key that holds it back ("" when it need not wait).
func (tx *Tx) throttleWait(account, client string) (time.Duration, string, error) {
	since := timeArg(tx.now.Add(-FailureWindow))
	var wait time.Duration
	var key string
	check := func(k string, free int, ceiling time.Duration, query string, args ...any) error {
		var n int
		var last time.Time
		if err := tx.QueryRowContext(tx.ctx, query, args...).Scan(&n, scanTime(&last)); err != nil {
			return err
		}
		if d := last.Add(throttleDelay(n, free, ceiling)).Sub(tx.now); d > wait {
			wait, key = d, k
		}
		return nil
	}
	if err := check("pair:"+account+"|"+client, FreePairFailures, MaxPairDelay,
		`SELECT COUNT(*), MAX(at) FROM sign_in_failures WHERE account = $1 AND ip = $2 AND at > $3`,
		account, client, since); err != nil {
		return 0, "", err
	}
	if err := check("client:"+client, FreeClientFailures, MaxClientDelay,
		`SELECT COUNT(*), MAX(at) FROM sign_in_failures WHERE ip = $1 AND at > $2`, client, since); err != nil {
		return 0, "", err
	}
	return wait, key, nil
}

// recordThrottle notes a refused attempt. Only the first refusal of a key in
// each window is audited, with how many the key's previous window refused,
// so an attacker hammering an account writes one audit event per window,
// not one per request.
// It joins the chain of user userID's partnership, or the service-wide
// chain for 0 (an email with no account).
func (tx *Tx) recordThrottle(key string, userID int64, object, ip string, wait time.Duration) error {
	var start time.Time
	var refused int
	err := tx.QueryRowContext(tx.ctx, `SELECT window_start, refused FROM sign_in_throttles WHERE key = $1`, key).
		Scan(scanTime(&start), &refused)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		refused = 0
	case err != nil:
		return err
	case start.After(tx.now.Add(-FailureWindow)):
		_, err := tx.ExecContext(tx.ctx, `UPDATE sign_in_throttles SET refused = refused + 1 WHERE key = $1`, key)
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `
		INSERT INTO sign_in_throttles (key, window_start, refused) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, refused = 1`,
		key, timeArg(tx.now)); err != nil {
		return err
	}
	kind := "account-and-client"
	if key[:len("client:")] == "client:" {
		kind = "client"
	}
	return tx.auditAccount(userID, "anonymous", "sign-in.throttled", object, map[string]any{
		"ip": ip, "by": kind, "wait_seconds": int(wait.Seconds() + 0.5), "refused_last_window": refused,
	})
}

// auditAccount is auditUser for an attempt on an account before anyone is
// signed in: onto the chain of user userID's partnership, or the
// service-wide chain when userID is 0 (an email with no account).
func (tx *Tx) auditAccount(userID int64, actor, action, object string, content any) error {
	if userID == 0 {
		return tx.AuditIn(0, actor, action, object, content)
	}
	return tx.auditUser(userID, actor, action, object, content)
}

// forgetOldFailures deletes failures and throttle windows older than the
// window, as new attempts come in.
func (tx *Tx) forgetOldFailures() error {
	old := timeArg(tx.now.Add(-FailureWindow))
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM sign_in_failures WHERE at <= $1`, old); err != nil {
		return err
	}
	_, err := tx.ExecContext(tx.ctx, `DELETE FROM sign_in_throttles WHERE window_start <= $1`,
		timeArg(tx.now.Add(-2*FailureWindow)))
	return err
}

// errThrottled says how long to wait, in words a person can act on.
func errThrottled(wait time.Duration) error {
	wait = max(wait.Round(time.Second), time.Second)
	words := fmt.Sprintf("%d seconds", int(wait/time.Second))
	if wait >= 2*time.Minute {
		words = fmt.Sprintf("%d minutes", int((wait+time.Minute-1)/time.Minute))
	} else if wait == time.Second {
		words = "a second"
	}
	return escalate.RetryErrorf(escalate.ETOOMANY, wait,
		"There have been too many attempts to sign in from here. Wait %s, then try again.", words)
}
