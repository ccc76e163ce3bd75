package sqlstore

import "testing"

// BenchmarkRaisePatterns is BenchmarkRaise with the pattern check on (a
// threshold of 3, as H&F's): every raise is the same agency pair and
// category, so after the third each raise runs the check's query and finds
// the quarter's pair already flagged. Compare with BenchmarkRaise, whose
// Redbridge policy has no threshold.
func BenchmarkRaisePatterns(b *testing.B) {
	benchEngines(b, func(b *testing.B, f *escFixture) {
		if _, err := f.db.db.Exec(`INSERT INTO learning_settings (partnership_id, pattern_threshold, updated_by, updated)
			VALUES ($1, 3, $2, $3)`, f.raiser.PartnershipID, f.raiser.ID, timeArg(testNow)); err != nil {
			b.Fatal(err)
		}
		f.paired(b, func(i int) error {
			_, err := f.svc.Raise(f.ctx, f.raiseInput(i))
			return err
		})
		if n := countRows(b, f.db, "pattern_flags"); b.N >= 3 && n != 1 {
			b.Fatalf("%d pattern flags, want 1", n)
		}
	})
}
