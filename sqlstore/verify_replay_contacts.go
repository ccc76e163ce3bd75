package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// Replaying each agency's escalation contacts (routing's single point of
// contact, sqlstore/agency_contacts.go): an administrator's change, whose
// events agency.contact.add and agency.contact.remove name the person. Who
// is a contact decides who is told of a new case and who may take it, so a
// contact added or removed behind the service's back is a change of access.

// replayContact is an escalation contact as the events say: added when and
// by whom (0: the command line or the demo).
type replayContact struct {
	By    int64
	Added time.Time
	loose bool  // the event carried no "time": its own time stands in
	seq   int64 // the event that added them
}

// agencyContacts replays every agency's escalation contacts, replayBatch
// agencies at a time, against agency_contacts.
func (r *replayer) agencyContacts(rep *ReplayReport) error {
	return r.batches("agencies", func(ids []int64) error {
		objects := make([]string, len(ids))
		for i, id := range ids {
			objects[i] = fmt.Sprintf("agency:%d", id)
		}
		evs, err := r.events(objects)
		if err != nil {
			return err
		}
		stored := map[int64]map[int64]replayContact{}
		if err := r.each(`SELECT agency_id, user_id, added, COALESCE(added_by, 0) FROM agency_contacts
			WHERE agency_id >= $1 AND agency_id <= $2`, ids[0], ids[len(ids)-1],
			func(sc rowScanner, id *int64) error {
				var u int64
				var c replayContact
				if err := sc.Scan(&u, scanTime(&c.Added), &c.By); err != nil {
					return err
				}
				if stored[*id] == nil {
					stored[*id] = map[int64]replayContact{}
				}
				stored[*id][u] = c
				return nil
			}); err != nil {
			return err
		}
		for i, id := range ids {
			want, f := foldContacts(objects[i], evs[objects[i]])
			if f != nil {
				return f
			}
			if f := compareContacts(objects[i], want, stored[id]); f != nil {
				return f
			}
			rep.AgencyContacts += len(stored[id])
		}
		return nil
	})
}

// foldContacts replays one agency's contact events; its other events
// (those of the agency's own fields) are not replayed.
func foldContacts(object string, evs []replayEvent) (map[int64]replayContact, *ReplayFailure) {
	out := map[int64]replayContact{}
	for i := range evs {
		ev := &evs[i]
		if ev.action != "agency.contact.add" && ev.action != "agency.contact.remove" {
			continue
		}
		if ev.erased || ev.content == nil {
			return nil, &ReplayFailure{Object: object, Field: "escalation contacts", Seq: ev.seq,
				Reason: "the event's content is gone, so whom it names cannot be known"}
		}
		var d struct {
			User int64      `json:"user"`
			Time *time.Time `json:"time"`
		}
		if err := json.Unmarshal(ev.content, &d); err != nil {
			return nil, &ReplayFailure{Object: object, Field: ev.action, Seq: ev.seq, Reason: "the event's content is not readable: " + err.Error()}
		}
		if ev.action == "agency.contact.remove" {
			delete(out, d.User)
			continue
		}
		c := replayContact{By: ev.actorID(), Added: ev.at, loose: d.Time == nil, seq: ev.seq}
		if d.Time != nil {
			c.Added = d.Time.UTC()
		}
		out[d.User] = c
	}
	return out, nil
}

// compareContacts returns the first escalation contact stored otherwise
// than the events say, in user ID order.
func compareContacts(object string, want, got map[int64]replayContact) *ReplayFailure {
	for _, u := range sortedKeys(want, got) {
		w, inWant := want[u]
		g, inGot := got[u]
		field := fmt.Sprintf("escalation contact user %d", u)
		switch {
		case !inGot:
			return &ReplayFailure{Object: object, Field: field, Seq: w.seq, Reason: "the events make them a contact, but it is not stored"}
		case !inWant:
			return &ReplayFailure{Object: object, Field: field, Reason: "stored as a contact, but no event makes them one"}
		case w.By != g.By || !sameContactTime(w, g.Added):
			return &ReplayFailure{Object: object, Field: field, Seq: w.seq, Reason: "the stored contact differs from what the events say"}
		}
	}
	return nil
}

// sameContactTime compares the stored instant with the event's: exactly
// when the event says when, else within the minute before the event
// reached the log.
func sameContactTime(w replayContact, got time.Time) bool {
	want, got := w.Added.Truncate(time.Microsecond), got.Truncate(time.Microsecond)
	if want.Equal(got) {
		return true
	}
	return w.loose && !got.After(want) && want.Sub(got) <= time.Minute
}
