package escalate

import "time"

// Notification is one notification as its recipient reads it in the app
// (the outbox row it was written as): what happened to which escalation and
// the next deadline. Like the email it becomes, it holds no child data.
type Notification struct {
	ID         int64  // the outbox row's; ids grow with time
	Kind       string // the event's action, or clock.reminder / clock.overdue
	SubjectKey string // names the message, e.g. "escalation-raised"
	Ref        string // the escalation's reference; "" for one written before a raise
	Stage      string // the stage key when it was written
	What       string // a clock notice's words for what is due
	Due        time.Time
	Created    time.Time
	Read       bool
	// Clock is the clock a reminder or overdue prompt is about, 0 for none.
	Clock int
	// Now says how the case stands as the notification is read, when that
	// overtakes it: NoticeClockDone (the prompt's clock was met or
	// stopped) or the escalation's closed status; "" otherwise.
	Now string
}

// NoticeClockDone is Notification.Now for a prompt whose clock is no longer
// running.
const NoticeClockDone = "clock-done"

// UndeliveredNotification is an outbox row that could not be emailed after
// every attempt, as administrators see it. LastError names no addresses.
type UndeliveredNotification struct {
	ID         int64
	Kind       string
	SubjectKey string
	Ref        string
	Attempts   int
	LastError  string
	DeadAt     time.Time
}
