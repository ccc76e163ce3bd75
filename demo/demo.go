// Package demo seeds a database with fictional partnerships, one for each
// built-in policy pack, so that a newcomer can sign in and see Escalate at
// work: agencies, people in every role, contacts, and escalations in every
// state. Everything goes through the real store and escalation service, so
// the audit chain, clocks and outbox are genuine.
//
// Every name, email address and phone number is made up: names read
// "Alex Demo-Practitioner", emails end in .example (RFC 2606) and phone
// numbers are in Ofcom's range for drama (020 7946 0xxx).
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

// Account is one demo sign-in.
type Account struct {
	Role  escalate.Role
	Name  string
	Email string
	// Agency is the name of the account's agency.
	Agency string
}

// Partnership is what Seed made for one pack.
type Partnership struct {
	Key, Name, PolicyID string
	// SignIns holds one account per role of SignInRoles, in its order:
	// the ones worth signing in as first.
	SignIns []Account
	// Users, Contacts and Escalations count what was made.
	Users, Contacts, Escalations int
}

// Result is what Seed made.
type Result struct {
	Partnerships []Partnership
}

// Seed adds one demo partnership for each built-in pack to db, which must
// be migrated and hold no partnership with a pack's ID as its key. Every
// demo account gets password. now is the demo's present: clocks are started
// before it by setting db.Now back while seeding, and db.Now is restored
// before Seed returns. Given the same now, Seed makes the same data.
func Seed(ctx context.Context, db *sqlstore.DB, now time.Time, password string) (*Result, error) {
	hash, err := sqlstore.HashPassword(password)
	if err != nil {
		return nil, err
	}
	saved := db.Now
	defer func() { db.Now = saved }()
	ctx = sqlstore.WithActor(ctx, "demo")
	// First every partnership's organisation, then every case's steps in
	// time order: the audit chain's times only go forward.
	var seeders []*seeder
	var steps []step
	for _, info := range policy.Packs() {
		s := &seeder{db: db, svc: sqlstore.NewEscalationService(db), ctx: ctx, now: now.UTC(), hash: hash}
		if err := s.organisation(info); err != nil {
			return nil, fmt.Errorf("demo partnership %s: %w", info.ID, err)
		}
		s.plan()
		s.planLearning()
		if err := s.dissents(); err != nil {
			return nil, fmt.Errorf("demo partnership %s: dissents: %w", info.ID, err)
		}
		seeders = append(seeders, s)
		steps = append(steps, s.steps...)
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	for _, st := range steps {
		at := st.at
		db.Now = func() time.Time { return at }
		if err := st.run(); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	res := &Result{}
	for _, s := range seeders {
		out := Partnership{Key: s.p.Key, Name: s.p.Name, PolicyID: s.pol.ID,
			Users: len(s.users), Contacts: s.contactCount, Escalations: s.cases}
		for _, r := range SignInRoles {
			if !Uses(s.pol, r) {
				continue
			}
			u := s.users[s.signInKey(r)]
			out.SignIns = append(out.SignIns, Account{Role: r, Name: u.Name, Email: u.Email, Agency: s.agencyName(u.AgencyID)})
		}
		res.Partnerships = append(res.Partnerships, out)
	}
	return res, nil
}

// seeder seeds one partnership.
type seeder struct {
	db   *sqlstore.DB
	svc  *sqlstore.EscalationService
	ctx  context.Context
	now  time.Time
	hash string

	p            *escalate.Partnership
	pol          *escalate.Policy
	agencies     map[string]*escalate.Agency // by short key, e.g. "school"
	users        map[string]*escalate.User   // by "<agency>/<role>", e.g. "school/practitioner"
	contactCount int
	cases        int
	steps        []step
}

// organisation creates the partnership, its agencies, people and contacts,
// 40 days before now.
func (s *seeder) organisation(info policy.PackInfo) error {
	s.db.Now = func() time.Time { return s.day(40, 9, 0) }
	raw, err := policy.PackSource(info.ID)
	if err != nil {
		return err
	}
	if s.pol, err = policy.Pack(info.ID); err != nil {
		return err
	}
	s.p = &escalate.Partnership{Key: info.ID, Name: "Demo partnership on the " + shortName(info.ID) + " policy"}
	if err := s.db.CreatePartnership(s.ctx, s.p, s.pol, raw); err != nil {
		return err
	}
	// The demo is a minute's try with the printed sign-ins: a second
	// factor is offered, not required (a real partnership requires it).
	if err := s.db.SetSecondFactorOptional(s.ctx, s.p.ID, true); err != nil {
		return err
	}
	s.p.SecondFactorOptional = true
	// The API is for systems the partnership runs, not for everyone: in
	// the demo, the administrator and the Business Manager.
	if err := s.db.SetAPIRoles(s.ctx, s.p.ID, demoAPIRoles); err != nil {
		return err
	}
	if err := s.people(); err != nil {
		return err
	}
	if err := s.dataProtectionOfficer(); err != nil {
		return err
	}
	s.contactCount, err = s.contacts()
	return err
}

// shortName is how a pack is named in the demo partnership's name.
func shortName(id string) string {
	if id == "hammersmith-fulham" {
		return "Hammersmith & Fulham"
	}
	return strings.ToUpper(id[:1]) + id[1:]
}

func (s *seeder) agencyName(id int64) string {
	for _, a := range s.agencies {
		if a.ID == id {
			return a.Name
		}
	}
	return ""
}

// london is the partnership calendars' zone; the packs are all English.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// day returns hh:mm London time on the weekday daysAgo (at least 1)
// calendar days before now, a weekend moving back to the Friday, so that
// seeded work happens in office hours and before now.
func (s *seeder) day(daysAgo, hh, mm int) time.Time {
	d := s.now.In(london).AddDate(0, 0, -max(daysAgo, 1))
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, london).UTC()
}

// ago returns the instant d before now, for what happened today.
func (s *seeder) ago(d time.Duration) time.Time { return s.now.Add(-d) }

// words is the word list of generated passwords: short, common, unrelated
// to Escalate, so a passphrase of four is easy to type and to read out.
var words = strings.Fields(`amber anchor apple arrow badger basket beacon birch bramble breeze
	candle canyon cedar cherry clover comet copper cotton crane daisy delta dolphin ember falcon
	fennel fern fjord garnet ginger granite harbour hazel heron indigo island ivy jasper juniper
	kettle kestrel lantern lemon linen maple marble meadow mint moss nectar nutmeg oak olive orchid
	otter pebble pepper pine plum quartz quill raven ribbon river robin saffron sage sparrow spruce
	thistle tide timber topaz tulip velvet violet walnut willow wren yarrow zephyr`)

// NewPassword returns a random passphrase of four different words, e.g.
// "otter-lantern-quartz-fern": about 26 bits, plenty for a demo on localhost.
func NewPassword() string {
	var parts []string
	for len(parts) < 4 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		if w := words[n.Int64()]; !slices.Contains(parts, w) {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, "-")
}

// demoAPIRoles may use the JSON API in every demo partnership.
var demoAPIRoles = []escalate.Role{escalate.RoleAdmin, escalate.RoleBusinessManager}
