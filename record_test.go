package escalate_test

import (
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func recordInput(version int) escalate.RecordInput {
	return escalate.RecordInput{
		Version: version, At: t0.Add(30 * time.Minute), Form: escalate.FormPhone,
		Participants: []string{"school DSL", "duty social worker"},
		Discussion:   "Went through the referral", Outcome: "Will review the assessment by Friday",
	}
}

func TestAddRecord(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	t.Run("OKReceivingSideMeetsRespondClock", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		evs, err := e.AddRecord(now, p, testCal(t), receiver, recordInput(1))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := actions(evs), []string{escalate.ActionRecordAdd, escalate.ActionClockMet}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		r := e.Records[0]
		if r.ID != 1 || r.Stage != "stage-1" || r.By != receiver.ID || !r.Created.Equal(now) || r.Form != "phone" || len(r.Participants) != 2 {
			t.Errorf("record %+v", r)
		}
		if c := clockByKey(t, e, "stage-1", "respond"); c.Status != escalate.ClockMet || !c.MetAt.Equal(now) {
			t.Errorf("respond clock %+v", c)
		}
		if e.Version != 2 || !e.Updated.Equal(now) {
			t.Errorf("version %d updated %v", e.Version, e.Updated)
		}
		if evs[0].Ref != "T-1" {
			t.Errorf("event ref %q", evs[0].Ref)
		}
	})
	t.Run("OKRaisingSideDoesNotMeetReceivingClock", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		evs, err := e.AddRecord(now, p, testCal(t), raiser, recordInput(1))
		if err != nil {
			t.Fatal(err)
		}
		if got := actions(evs); !slices.Equal(got, []string{escalate.ActionRecordAdd}) {
			t.Errorf("events %v", got)
		}
		if c := clockByKey(t, e, "stage-1", "respond"); c.Status != escalate.ClockRunning {
			t.Errorf("respond clock %+v", c)
		}
	})
	t.Run("OKCorrectionIsANewRecord", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.AddRecord(now, p, testCal(t), raiser, recordInput(1)); err != nil {
			t.Fatal(err)
		}
		in := recordInput(2)
		in.Corrects, in.Discussion = 1, "Corrected: it was a video call"
		evs, err := e.AddRecord(now, p, testCal(t), receiver, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Records) != 2 || e.Records[0].Discussion != "Went through the referral" || e.Records[1].Corrects != 1 {
			t.Errorf("records %+v", e.Records)
		}
		if evs[0].Data["corrects"] != 1 || len(evs) != 1 {
			t.Errorf("a correction met a clock or lost its link: %+v", evs)
		}
	})
	for _, tt := range []struct {
		name  string
		mod   func(*escalate.RecordInput)
		code  string
		field string
	}{
		{"ErrAtMissing", func(in *escalate.RecordInput) { in.At = time.Time{} }, escalate.EINVALID, "at"},
		{"ErrAtFuture", func(in *escalate.RecordInput) { in.At = now.Add(time.Minute) }, escalate.EINVALID, "at"},
		{"ErrForm", func(in *escalate.RecordInput) { in.Form = "carrier pigeon" }, escalate.EINVALID, "form"},
		{"ErrParticipants", func(in *escalate.RecordInput) { in.Participants = nil }, escalate.EINVALID, "participants"},
		{"ErrParticipantBlank", func(in *escalate.RecordInput) { in.Participants = []string{"a", " "} }, escalate.EINVALID, "participants"},
		{"ErrDiscussionRequired", func(in *escalate.RecordInput) { in.Discussion = "" }, escalate.EINVALID, "discussion"},
		{"ErrOutcomeRequired", func(in *escalate.RecordInput) { in.Outcome = "" }, escalate.EINVALID, "outcome"},
		{"ErrCorrectsUnknown", func(in *escalate.RecordInput) { in.Corrects = 9 }, escalate.EINVALID, "corrects"},
		{"ErrVersion", func(in *escalate.RecordInput) { in.Version = 0 }, escalate.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			e := mustRaise(t, p, nil)
			before := e.Clone()
			in := recordInput(1)
			tt.mod(&in)
			evs, err := e.AddRecord(now, p, testCal(t), receiver, in)
			assertCode(t, err, tt.code, tt.field)
			if evs != nil {
				t.Errorf("events %v on failure", evs)
			}
			assertUnchanged(t, before, e)
		})
	}
	t.Run("OKOutcomeOptionalWhereNotListed", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: 1, Reason: "no reply"}); err != nil {
			t.Fatal(err)
		}
		in := recordInput(2)
		in.Outcome = ""
		if _, err := e.AddRecord(now, p, testCal(t), raiserMgr, in); err != nil {
			t.Fatal(err)
		}
	})
}

func TestApproveRecord(t *testing.T) {
	now := t0.Add(3 * time.Hour)
	setup := func(t *testing.T) (*escalate.Policy, *escalate.Escalation) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.AddRecord(now, p, testCal(t), raiser, recordInput(1)); err != nil {
			t.Fatal(err)
		}
		return p, e
	}
	t.Run("OK", func(t *testing.T) {
		p, e := setup(t)
		evs, err := e.ApproveRecord(now, p, testCal(t), raiserMgr, escalate.ApproveInput{Version: 2, Record: 1})
		if err != nil {
			t.Fatal(err)
		}
		if r := e.Records[0]; r.ApprovedBy != raiserMgr.ID || !r.ApprovedAt.Equal(now) {
			t.Errorf("record %+v", r)
		}
		if got := actions(evs); !slices.Equal(got, []string{escalate.ActionRecordApprove}) {
			t.Errorf("events %v", got)
		}
	})
	for _, tt := range []struct {
		name  string
		actor *escalate.User
		in    escalate.ApproveInput
		code  string
		field string
	}{
		{"ErrNotApprover", raiser, escalate.ApproveInput{Version: 2, Record: 1}, escalate.EFORBIDDEN, ""},
		{"ErrNoRecord", raiserMgr, escalate.ApproveInput{Version: 2, Record: 5}, escalate.EINVALID, "record"},
		{"ErrRecordMissing", raiserMgr, escalate.ApproveInput{Version: 2}, escalate.EINVALID, "record"},
		{"ErrVersion", raiserMgr, escalate.ApproveInput{Version: 1, Record: 1}, escalate.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, e := setup(t)
			before := e.Clone()
			_, err := e.ApproveRecord(now, p, testCal(t), tt.actor, tt.in)
			assertCode(t, err, tt.code, tt.field)
			assertUnchanged(t, before, e)
		})
	}
	t.Run("ErrAlreadyApproved", func(t *testing.T) {
		p, e := setup(t)
		if _, err := e.ApproveRecord(now, p, testCal(t), raiserMgr, escalate.ApproveInput{Version: 2, Record: 1}); err != nil {
			t.Fatal(err)
		}
		_, err := e.ApproveRecord(now, p, testCal(t), recvMgr, escalate.ApproveInput{Version: 3, Record: 1})
		assertCode(t, err, escalate.ECONFLICT, "")
		if e.Records[0].ApprovedBy != raiserMgr.ID {
			t.Error("second approval overwrote the first")
		}
	})
}
