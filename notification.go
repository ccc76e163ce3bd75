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
}

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
