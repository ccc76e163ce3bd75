package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// Replaying recognitions of good practice (issue 15): each stored
// recognition is what its good-practice.record event says: who recorded
// it, from which agency, the agency recognised, what was done well, the
// difference it made and when. A recognition erased under retention is
// deleted, so what is stored is only ever in full.

// goodPracticeEvent is a good-practice.record event's content.
type goodPracticeEvent struct {
	Agency     int64  `json:"agency"`
	FromAgency int64  `json:"from_agency"`
	What       string `json:"what"`
	Difference string `json:"difference"`
}

// goodPractice replays every stored recognition of good practice.
func (r *replayer) goodPractice(rep *ReplayReport) error {
	return r.batches("good_practice", func(ids []int64) error {
		objects := make([]string, len(ids))
		for i, id := range ids {
			objects[i] = fmt.Sprintf("good-practice:%d", id)
		}
		evs, err := r.events(objects)
		if err != nil {
			return err
		}
		for i, id := range ids {
			var g escalate.GoodPractice
			if err := r.tx.QueryRowContext(r.ctx, `SELECT partnership_id, recorded_by, from_agency_id, agency_id, what, difference, at
				FROM good_practice WHERE id = $1`, id).Scan(&g.PartnershipID, &g.By, &g.FromAgencyID, &g.AgencyID, &g.What,
				&g.Difference, scanTime(&g.At)); err != nil {
				return err
			}
			if f := replayGoodPractice(objects[i], evs[objects[i]], &g); f != nil {
				return f
			}
			rep.GoodPractice++
		}
		return nil
	})
}

// replayGoodPractice checks got against its events: exactly one
// good-practice.record, whose content is what is stored.
func replayGoodPractice(object string, evs []replayEvent, got *escalate.GoodPractice) *ReplayFailure {
	var rec *replayEvent
	for i := range evs {
		ev := &evs[i]
		if ev.action != escalate.ActionGoodPractice {
			continue
		}
		if rec != nil {
			return &ReplayFailure{Object: object, Field: "recorded", Seq: ev.seq, Reason: "two events record it"}
		}
		rec = ev
	}
	if rec == nil {
		return &ReplayFailure{Object: object, Field: "recognition", Reason: "stored, but no event records it"}
	}
	if rec.erased {
		return &ReplayFailure{Object: object, Field: "content", Seq: rec.seq, Reason: "the event's content was erased, but the recognition was not erased under retention"}
	}
	var d goodPracticeEvent
	if err := json.Unmarshal(rec.content, &d); err != nil {
		return &ReplayFailure{Object: object, Field: "recorded", Seq: rec.seq, Reason: "the event's content is not readable: " + err.Error()}
	}
	// The row carries the change's instant; the event's is when it was
	// sealed onto the chain, no earlier and (a wait for the chain's lock
	// aside) hardly later.
	at := got.At.Truncate(time.Microsecond)
	for _, ch := range []struct {
		field string
		ok    bool
	}{
		{"recorded_by", got.By == rec.actorID()},
		{"from_agency", got.FromAgencyID == d.FromAgency},
		{"agency", got.AgencyID == d.Agency},
		{"what", got.What == d.What},
		{"difference", got.Difference == d.Difference},
		{"at", !at.After(rec.at) && rec.at.Sub(at) <= time.Minute},
	} {
		if !ch.ok {
			return &ReplayFailure{Object: object, Field: ch.field, Seq: rec.seq, Reason: "the stored value differs from what the events say"}
		}
	}
	return nil
}
