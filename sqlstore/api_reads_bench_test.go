package sqlstore

import (
	"testing"

	"github.com/escalate-project/escalate"
)

// BenchmarkAPIReads measures what every API request reads besides its own
// work: the token's user and partnership (TokenUser) and the policy of the
// case it answers with (PolicyFor). On PostgreSQL each query is a round
// trip and a transaction of the database's, which is most of an
// instance's CPU under load (doc/performance.md "Scale-out"):
//
//	go test ./sqlstore -run '^$' -bench '^BenchmarkAPIReads$/postgres' -benchtime 2000x -count 6
func BenchmarkAPIReads(b *testing.B) {
	benchEngines(b, func(b *testing.B, f *escFixture) {
		if err := f.db.SetAPIRoles(f.ctx, f.raiser.PartnershipID, nil); err != nil {
			b.Fatal(err)
		}
		ts := NewTokenService(f.db)
		secret, _, err := ts.CreateToken(f.ctx, escalate.TokenRequest{Name: "bench", Scope: escalate.ScopeReadWrite})
		if err != nil {
			b.Fatal(err)
		}
		e := f.raiseN(b, 1)[0]
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			u, _, _, err := ts.TokenUser(f.ctx, secret)
			if err != nil || u.ID != f.raiser.ID {
				b.Fatalf("TokenUser = %v, %v", u, err)
			}
			if _, err := f.svc.PolicyFor(f.ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
