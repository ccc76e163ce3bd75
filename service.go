package escalate

import (
	"context"
	"time"
)

// EscalationService runs escalations through their lifecycle durably. The
// acting user comes from UserFromContext(ctx). Each change is one
// transaction: load the escalation and its pinned policy, check Can, apply
// the pure rule, then write the new state (only if the stored version is
// still the one the change was made against) with its events, or nothing.
//
// Changes carry the version they were made against in their input; a stale
// version is ECONFLICT with MsgConflict. Each returns the escalation as it
// now stands.
type EscalationService interface {
	// Raise raises an escalation under the actor's partnership policy.
	Raise(ctx context.Context, in RaiseInput) (*Escalation, error)
	// RecordImmediateAction records what was done for a child at immediate
	// risk. With ref "" it records the action before any escalation exists
	// (the raise form is incomplete); it is never refused for anything but
	// a missing action or actor, and needs no version.
	RecordImmediateAction(ctx context.Context, ref string, in ImmediateInput) (*ImmediateAction, error)

	// Get returns one escalation and records an ActionView event.
	Get(ctx context.Context, ref string) (*Escalation, error)
	// List returns the escalations the actor may see that match f, and how
	// many match in all.
	List(ctx context.Context, f EscalationFilter) ([]*Escalation, int, error)

	// AddRecord adds a record of a discussion or action (Escalation.AddRecord).
	AddRecord(ctx context.Context, ref string, in RecordInput) (*Escalation, error)
	// ApproveRecord approves and dates a record (Escalation.ApproveRecord).
	ApproveRecord(ctx context.Context, ref string, in ApproveInput) (*Escalation, error)
	// AgreeOutcome records an agreed outcome (Escalation.AgreeOutcome).
	AgreeOutcome(ctx context.Context, ref string, in AgreeInput) (*Escalation, error)
	// ConfirmOutcome confirms an agreed outcome in writing (Escalation.ConfirmOutcome).
	ConfirmOutcome(ctx context.Context, ref string, in ConfirmInput) (*Escalation, error)
	// Escalate moves to the next stage (Escalation.Escalate).
	Escalate(ctx context.Context, ref string, in EscalateInput) (*Escalation, error)
	// Determine records the final stage's determination or recommendations
	// (Escalation.Determine).
	Determine(ctx context.Context, ref string, in DetermineInput) (*Escalation, error)
	// Redirect takes the matter out of the process (Escalation.Redirect).
	Redirect(ctx context.Context, ref string, in RedirectInput) (*Escalation, error)
	// Withdraw withdraws the escalation (Escalation.Withdraw).
	Withdraw(ctx context.Context, ref string, in WithdrawInput) (*Escalation, error)
	// ShortenClock brings a running clock forward (Escalation.ShortenClock).
	ShortenClock(ctx context.Context, ref string, in ShortenInput) (*Escalation, error)
	// ChangeRisk raises or lowers the risk level (Escalation.ChangeRisk).
	ChangeRisk(ctx context.Context, ref string, in RiskInput) (*Escalation, error)

	// RecomputeClocks recomputes the running clocks of every open escalation
	// of a partnership after its calendar changed, and returns how many
	// clocks moved.
	RecomputeClocks(ctx context.Context, partnershipID int64) (int, error)
}

// EscalationFilter narrows a List. Zero fields do not filter.
type EscalationFilter struct {
	Status   Status
	Stage    string // a stage key
	AgencyID int64  // raising or receiving
	Category string
	// Mine keeps escalations the actor raised, is involved in, or that are
	// in their management line, leaving out what only oversight shows.
	Mine bool
	// Raised keeps only escalations the actor raised.
	Raised bool
	// OverdueAt keeps escalations with a clock still running after this
	// instant.
	OverdueAt time.Time
	Offset    int
	Limit     int // 0 means the store's default
}
