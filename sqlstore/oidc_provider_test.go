package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestOIDCProviders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		add := func(p *escalate.OIDCProvider) error {
			p.PartnershipID = f.p.ID
			return db.AddProvider(ctx, p)
		}
		council := &escalate.OIDCProvider{Name: "Council", Issuer: "https://login.microsoftonline.com/tenant-a/v2.0", ClientID: "app-a",
			SecretRef: "env:COUNCIL", Domains: []string{" Council.example , @nhs.example"}, LinkByEmail: true}
		if err := add(council); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(council.Domains, []string{"council.example", "nhs.example"}) {
			t.Errorf("domains normalised to %q", council.Domains)
		}
		t.Run("ErrProblems", func(t *testing.T) {
			p := &escalate.OIDCProvider{Issuer: "http://idp.example", SecretRef: "s3cret", Domains: []string{"bad_domain"}}
			var fields []string
			for _, e := range p.Problems() {
				fields = append(fields, e.Field)
			}
			if !slices.Equal(fields, []string{"name", "issuer", "client_id", "secret_ref", "domains"}) {
				t.Errorf("problems on %v", fields)
			}
			wantEscErr(t, add(p), escalate.EINVALID, "name")
		})
		t.Run("ErrDomainTwice", func(t *testing.T) {
			err := add(&escalate.OIDCProvider{Name: "Other", Issuer: "https://accounts.google.com", ClientID: "g", Domains: []string{"nhs.example"}})
			wantEscErr(t, err, escalate.ECONFLICT, "domains")
			if ps, _ := db.Providers(ctx, f.p.ID); len(ps) != 1 {
				t.Errorf("%d providers after a refused one", len(ps))
			}
		})
		t.Run("SameDomainOtherPartnership", func(t *testing.T) {
			pol, raw := testPolicy("surrey", "england-and-wales")
			other := &escalate.Partnership{Key: "other", Name: "Other SCP"}
			if err := db.CreatePartnership(ctx, other, pol, raw); err != nil {
				t.Fatal(err)
			}
			p := &escalate.OIDCProvider{PartnershipID: other.ID, Name: "NHSmail", Issuer: "https://login.microsoftonline.com/nhs/v2.0",
				ClientID: "app-n", Domains: []string{"nhs.example"}}
			if err := db.AddProvider(ctx, p); err != nil {
				t.Fatal(err)
			}
			ps, err := db.ProvidersForDomain(ctx, "NHS.example")
			if err != nil || len(ps) != 2 {
				t.Errorf("providers for nhs.example: %d, %v", len(ps), err)
			}
			if has, _ := db.HasProviders(ctx); !has {
				t.Error("HasProviders = false")
			}
		})
		t.Run("SignInLinksOwnDomainsOnly", func(t *testing.T) {
			s := &Sessions{DB: db}
			u := f.user(t, "kim@council.example", "")
			if _, _, err := s.ProviderSignIn(ctx, council.ID, council.Issuer, "sub-kim", "kim@council.example", true, "192.0.2.1", ""); err != nil {
				t.Fatalf("own domain: %v", err)
			}
			if id, _ := db.IdentityUser(ctx, council.Issuer, "sub-kim"); id != u.ID {
				t.Errorf("linked to %d, want %d", id, u.ID)
			}
			f.user(t, "lee@elsewhere.example", "")
			_, _, err := s.ProviderSignIn(ctx, council.ID, council.Issuer, "sub-lee", "lee@elsewhere.example", true, "192.0.2.1", "")
			wantEscErr(t, err, escalate.EFORBIDDEN, "")
			_, _, err = s.ProviderSignIn(ctx, council.ID, "https://evil.example", "sub-kim", "kim@council.example", true, "192.0.2.1", "")
			wantEscErr(t, err, escalate.EFORBIDDEN, "")
		})
		t.Run("Remove", func(t *testing.T) {
			if err := db.RemoveProvider(ctx, f.p.ID+999, council.ID); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("removing through another partnership: %v", err)
			}
			if err := db.RemoveProvider(ctx, f.p.ID, council.ID); err != nil {
				t.Fatal(err)
			}
			if ps, _ := db.ProvidersForDomain(ctx, "council.example"); len(ps) != 0 {
				t.Errorf("removed provider still routes: %+v", ps)
			}
		})
	})
}
