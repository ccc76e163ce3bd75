package sqlstore

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/escalate-project/escalate"
)

// Password hashing is slow and memory-hungry on purpose: each argon2id
// computation holds argonMemory (19 MiB) for tens of milliseconds. Without a
// bound, a few hundred parallel sign-ins (with unknown emails: no account is
// needed) would exhaust the server's memory. So at most HashSlots hash at
// once; up to HashQueue more wait for a slot, each for at most HashWait;
// anyone beyond that, or who waits too long, is answered EUNAVAILABLE with a
// Retry-After, which the web turns into 503. Peak hashing memory is then
// HashSlots × 19 MiB, whatever the load.

// The limiter's defaults: slots are the CPUs (hashing is CPU-bound, so more
// would only share them), at least 2 and at most 8.
var (
	DefaultHashSlots = min(max(runtime.GOMAXPROCS(0), 2), 8)
	DefaultHashQueue = 64
	HashWait         = 5 * time.Second
)

// hashLimiter is a counting semaphore with a bounded waiting room.
type hashLimiter struct {
	slots chan struct{}
	queue chan struct{}
}

func newHashLimiter(slots, queue int) *hashLimiter {
	return &hashLimiter{slots: make(chan struct{}, max(slots, 1)), queue: make(chan struct{}, max(queue, 0))}
}

var (
	hashLimitMu sync.RWMutex
	hashLimit   = newHashLimiter(DefaultHashSlots, DefaultHashQueue)
)

// SetHashLimit replaces the limiter: at most slots password hashes at once
// and queue waiting. Hashes under way finish under the old one.
func SetHashLimit(slots, queue int) {
	hashLimitMu.Lock()
	defer hashLimitMu.Unlock()
	hashLimit = newHashLimiter(slots, queue)
}

// HashLimit reports the limiter's slots and waiting room.
func HashLimit() (slots, queue int) {
	hashLimitMu.RLock()
	defer hashLimitMu.RUnlock()
	return cap(hashLimit.slots), cap(hashLimit.queue)
}

// errHashBusy is what a sign-in gets when every slot and place in the queue
// is taken.
var errHashBusy = escalate.RetryErrorf(escalate.EUNAVAILABLE, 2*time.Second,
	"The service is very busy just now. Wait a few seconds, then try again.")

// acquire takes a hashing slot, waiting in the queue if there is room, and
// returns the function that gives it back.
func (l *hashLimiter) acquire(ctx context.Context) (func(), error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	select {
	case l.queue <- struct{}{}:
	default:
		return nil, errHashBusy
	}
	defer func() { <-l.queue }()
	t := time.NewTimer(HashWait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-t.C:
		return nil, errHashBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *hashLimiter) release() { <-l.slots }

func acquireHash(ctx context.Context) (func(), error) {
	hashLimitMu.RLock()
	l := hashLimit
	hashLimitMu.RUnlock()
	return l.acquire(ctx)
}

// VerifyPasswordLimited is VerifyPassword under the hashing limit.
func VerifyPasswordLimited(ctx context.Context, encoded, pw string) (ok, rehash bool, err error) {
	release, err := acquireHash(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	return VerifyPassword(encoded, pw)
}

// HashPasswordLimited is HashPassword under the hashing limit.
func HashPasswordLimited(ctx context.Context, pw string) (string, error) {
	release, err := acquireHash(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(pw)
}
