package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/audit"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// GenerateScale fills an empty, migrated database with synthetic data for
// measuring queries at scale (doc/performance.md): fictional partnerships on
// the built-in packs, their agencies, users with manager lines, and
// escalations in every state with their clocks, records, parties and audit
// events.
//
// The organisations go in through the ordinary services. The escalations do
// not: they are bulk-inserted, many rows per statement and thousands of
// cases per transaction, so that a million cases take minutes rather than
// days. Their audit events are still sealed one by one with audit.Next onto
// the chain, in time order, so VerifyAudit passes on the result.
//
// The history spans the Years before db.Now; escalations still open at its
// end have running clocks, some of them overdue. Nothing here is a real
// person or child. Nothing else may write to db meanwhile: db.Now is
// moved back to the start of the history while the organisations are
// added, and a batch that finds someone else's event at the end of the
// chain stops with ECONFLICT.
func (db *DB) GenerateScale(ctx context.Context, opt ScaleOptions) (ScaleResult, error) {
	var res ScaleResult
	if err := opt.fill(); err != nil {
		return res, err
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM partnerships`).Scan(&n); err != nil {
		return res, err
	}
	if n != 0 {
		return res, escalate.Errorf(escalate.EINVALID, "the database is not empty (partnerships: %d): generate into a new database", n)
	}
	end := db.Now().UTC().Truncate(time.Microsecond)
	start := end.AddDate(-opt.Years, 0, 0)
	g := &scaleGen{db: db, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5ca1e)), start: start, end: end,
		refs: map[refKey]int{}}

	// The organisations' own audit events must come first in time: they are
	// written as if at the start of the history.
	now := db.Now
	db.Now = func() time.Time { return start }
	err := g.organisations(ctx, &res)
	db.Now = now
	if err != nil {
		return res, fmt.Errorf("organisations: %w", err)
	}
	if err := g.escalations(ctx, &res); err != nil {
		return res, err
	}
	// The cases were written directly: route them as the service would
	// have, so My work and lists see them.
	if _, err := db.RouteAll(ctx); err != nil {
		return res, fmt.Errorf("route: %w", err)
	}
	return res, nil
}

// ScaleOptions sizes GenerateScale's dataset.
type ScaleOptions struct {
	Escalations int
	// EventsPer is the average number of audit events per escalation. The
	// changes a case went through come first; views of the case (every
	// opening of it is audited) make up the rest.
	EventsPer int
	// Partnerships defaults to one per 50,000 escalations, from 1 to 20.
	Partnerships int
	Years        int    // how far back the history goes; default 3
	Seed         uint64 // the same seed gives the same cases (not salts or hashes)
	// BatchSize is how many escalations go in one transaction; default 2,000.
	BatchSize int
	// Progress, if set, is called after each transaction with the totals so far.
	Progress func(ScaleResult)
}

func (o *ScaleOptions) fill() error {
	if o.Escalations < 0 || o.EventsPer < 0 || o.Partnerships < 0 || o.Years < 0 || o.BatchSize < 0 {
		return escalate.Errorf(escalate.EINVALID, "scale options cannot be negative")
	}
	if o.Partnerships == 0 {
		o.Partnerships = min(max(o.Escalations/50000, 1), 20)
	}
	if o.Years == 0 {
		o.Years = 3
	}
	if o.BatchSize == 0 {
		o.BatchSize = 2000
	}
	return nil
}

// ScaleResult counts what GenerateScale wrote.
type ScaleResult struct {
	Partnerships, Agencies, Users int
	Escalations, Clocks, Records  int64
	Parties, Events               int64
}

// scaleGen is one run of GenerateScale.
type scaleGen struct {
	db         *DB
	opt        ScaleOptions
	rng        *rand.Rand
	start, end time.Time
	parts      []*scalePartnership
	refs       map[refKey]int
	nextID     int64
	tails      map[int64]audit.Entry // the last event of each chain
	seq        int64                 // the last row seq given
	pending    eventHeap             // events not yet sealed, soonest first
	order      int64                 // ties in pending are sealed in the order they were made
}

type refKey struct {
	partnership int64
	year        int
}

// scalePartnership is a generated partnership and what cases need of it.
type scalePartnership struct {
	id, versionID int64
	prefix        string
	policy        *escalate.Policy
	cal           *calendar.Calendar
	agencies      []*scaleAgency
	oversight     int64 // the business manager
}

type scaleAgency struct {
	id                    int64
	practitioners, manage []int64 // manage: the practitioners' managers, by index
	seniors               []int64
}

// scaleAgencies are the agencies of every generated partnership.
var scaleAgencies = []struct{ name, kind string }{
	{"Children's Social Care", "childrens-social-care"},
	{"Police Public Protection", "police"},
	{"Community Health Trust", "health-provider"},
	{"Riverside GP Practice", "primary-care"},
	{"Oakfield Primary School", "school"},
	{"Hillcrest Academy", "school"},
	{"Probation Service", "probation"},
	{"Housing Options", "housing"},
	{"Family Support Charity", "voluntary-sector"},
	{"Early Help Service", "early-years"},
}

// organisations adds the partnerships, agencies and users.
func (g *scaleGen) organisations(ctx context.Context, res *ScaleResult) error {
	ctx = WithActor(ctx, "system:gen")
	packs := policy.Packs()
	for i := range g.opt.Partnerships {
		info := packs[i%len(packs)]
		pol, err := policy.Pack(info.ID)
		if err != nil {
			return err
		}
		raw, err := policy.PackSource(info.ID)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("scale-%02d-%s", i+1, info.ID)
		p := &escalate.Partnership{Key: key, Name: fmt.Sprintf("Synthetic Partnership %d (%s)", i+1, pol.Name)}
		if err := g.db.CreatePartnership(ctx, p, pol, raw); err != nil {
			return err
		}
		v, err := g.db.CurrentPolicyVersion(ctx, p.ID)
		if err != nil {
			return err
		}
		cal, err := calendarFor(ctx, g.db.db, p.ID, v.Division, v.WorkingDayEnds)
		if err != nil {
			return err
		}
		sp := &scalePartnership{id: p.ID, versionID: v.ID, prefix: refPrefix(key), policy: pol, cal: cal}
		res.Partnerships++
		for j, ag := range scaleAgencies {
			a := &escalate.Agency{PartnershipID: p.ID, Name: ag.name, Kind: ag.kind}
			if err := g.db.CreateAgency(ctx, a); err != nil {
				return err
			}
			res.Agencies++
			sa := &scaleAgency{id: a.ID}
			user := func(name string, manager int64, roles ...escalate.Role) (int64, error) {
				u := &escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: name + ", " + ag.name,
					Email: fmt.Sprintf("%s.a%d@scale.example", scaleSlug(name), j+1), Roles: roles, ManagerID: manager}
				err := g.db.CreateUser(ctx, u)
				res.Users++
				return u.ID, err
			}
			senior, err := user("Senior Manager", 0, escalate.RoleSeniorManager)
			if err != nil {
				return err
			}
			sa.seniors = append(sa.seniors, senior)
			var managers []int64
			for m := range 2 {
				roles := []escalate.Role{escalate.RoleManager}
				if m == 0 {
					roles = append(roles, escalate.RoleSafeguardingLead)
				}
				id, err := user(fmt.Sprintf("Team Manager %d", m+1), senior, roles...)
				if err != nil {
					return err
				}
				managers = append(managers, id)
			}
			// The first team manager is the agency's escalation contact.
			if err := g.db.AddEscalationContact(ctx, a.ID, managers[0]); err != nil {
				return err
			}
			for k := range 6 {
				mgr := managers[k%2]
				id, err := user(fmt.Sprintf("Practitioner %d", k+1), mgr, escalate.RolePractitioner)
				if err != nil {
					return err
				}
				sa.practitioners = append(sa.practitioners, id)
				sa.manage = append(sa.manage, mgr)
			}
			if j == 0 {
				if sp.oversight, err = user("Business Manager", 0, escalate.RoleBusinessManager); err != nil {
					return err
				}
				if _, err := user("Board Chair", 0, escalate.RoleChair); err != nil {
					return err
				}
			}
			sp.agencies = append(sp.agencies, sa)
		}
		g.parts = append(g.parts, sp)
	}
	return nil
}

func scaleSlug(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == ' ':
			b[i] = '.'
		}
	}
	return string(b)
}

// escalations generates the cases in order of raising, a batch per
// transaction, sealing each event onto the chain once every event before it
// in time has been.
func (g *scaleGen) escalations(ctx context.Context, res *ScaleResult) error {
	conn, err := g.db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if g.db.dialect == SQLite {
		// Index pages of audit_events_object are hit all over: keep them
		// in memory rather than re-reading them for every batch.
		if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -1048576`); err != nil {
			return err
		}
		defer conn.ExecContext(context.Background(), `PRAGMA cache_size = -2000`)
	}
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM escalations`).Scan(&g.nextID); err != nil {
		return err
	}
	// Raising instants, spread evenly over the history with some jitter,
	// drawn up front so each batch knows where it stops.
	span := g.end.Sub(g.start)
	step := span / time.Duration(max(g.opt.Escalations, 1))
	for done := 0; done < g.opt.Escalations || g.pending.Len() > 0; {
		n := min(g.opt.BatchSize, g.opt.Escalations-done)
		err := g.batch(ctx, conn, res, func(b *scaleBatch) error {
			for i := range n {
				at := g.start.Add(time.Duration(done+i)*step + time.Duration(g.rng.Int64N(int64(step)+1)))
				if err := g.sealUntil(b, at); err != nil {
					return err
				}
				if err := g.newCase(b, at); err != nil {
					return err
				}
			}
			if done+n == g.opt.Escalations {
				return g.sealUntil(b, g.end.Add(time.Nanosecond))
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
		if g.opt.Progress != nil {
			g.opt.Progress(*res)
		}
	}
	return g.finish(ctx, conn)
}

// batch runs fn in one transaction on conn with a fresh set of bulk
// inserters, and adds what it wrote to res once it has committed.
func (g *scaleGen) batch(ctx context.Context, conn *sql.Conn, res *ScaleResult, fn func(b *scaleBatch) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := g.checkTail(ctx, tx); err != nil {
		return err
	}
	b := newScaleBatch(ctx, tx, g.db.dialect)
	if err := fn(b); err != nil {
		return err
	}
	if err := b.flush(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	res.Escalations += b.escalations.n
	res.Clocks += b.clocks.n
	res.Records += b.records.n
	res.Parties += b.parties.n
	res.Events += b.events.n
	return nil
}

// checkTail reads the tail of every audit chain the first time, and after
// that makes sure nothing but this run has written to the log: a writer
// that appended meanwhile would fork a chain.
func (g *scaleGen) checkTail(ctx context.Context, tx *sql.Tx) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&last); err != nil {
		return fmt.Errorf("reading the last audit event: %w", err)
	}
	if g.tails != nil {
		if last != g.seq {
			return escalate.Errorf(escalate.ECONFLICT, "something else wrote to the audit log while gen ran (event %d): stop it and generate again into a new database", last)
		}
		return nil
	}
	g.tails, g.seq = map[int64]audit.Entry{}, last
	rows, err := tx.QueryContext(ctx, `SELECT e.chain, e.chain_seq, e.at, e.hash FROM audit_events e
		WHERE e.chain_seq = (SELECT MAX(chain_seq) FROM audit_events m WHERE m.chain = e.chain)`)
	if err != nil {
		return fmt.Errorf("reading the chains' last events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var chain int64
		var e audit.Entry
		var hash []byte
		if err := rows.Scan(&chain, &e.Seq, scanTime(&e.At), &hash); err != nil {
			return err
		}
		copy(e.Hash[:], hash)
		g.tails[chain] = e
	}
	return rows.Err()
}

// finish sets the per-year reference counters and, on PostgreSQL, moves the
// escalations' identity past the IDs given here.
func (g *scaleGen) finish(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, n := range g.refs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO escalation_refs (partnership_id, year, n) VALUES ($1, $2, $3)`,
			k.partnership, k.year, n); err != nil {
			return err
		}
	}
	if g.db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('escalations', 'id'), GREATEST(MAX(id), 1)) FROM escalations`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT setval('audit_events_seq', GREATEST(MAX(seq), 1)) FROM audit_events`); err != nil {
			return err
		}
		// Autovacuum would gather statistics soon after a load this size;
		// gather them now so plans are the ones a live server gets. SQLite
		// plans without statistics unless ANALYZE is run, and the store
		// never runs it, so neither does gen.
		if _, err := tx.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
	}
	return tx.Commit()
}
