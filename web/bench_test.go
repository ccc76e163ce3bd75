package web_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// Benchmarks of the two pages people open most, My work and an escalation,
// at 100,000 escalations on SQLite (see bench_data_test.go for the data),
// beside a handler that writes the same bytes from memory. Requests go
// straight to the Server's ServeHTTP with a signed-in session cookie, so the
// figures are server time: session lookup, store, templates, logging; no
// network. doc/performance.md ("Pages") says how to run them and reads the
// figures.
//
// Besides ns/op each reports:
//   - p50-ms, p99-ms: percentiles of the run's own latencies;
//   - x-memory: the run's time over that of the memory handler, serving
//     the same page's bytes after each request, so both share the machine's
//     load of the moment (BenchmarkMyWork and BenchmarkEscalationPage);
//   - resp-B: the size of the page.

func BenchmarkMyWork(b *testing.B) {
	s := loadBenchSite(b)
	s.bench(b, func(int) string { return "/" }, s.server(), s.memory(b, "/"))
}

// BenchmarkMyWorkContact is My work for the person with the most cases
// waiting on them: an agency's escalation contact.
func BenchmarkMyWorkContact(b *testing.B) {
	s := loadBenchSite(b)
	c := *s
	c.cookie, c.captured = s.contactCookie, nil
	c.bench(b, func(int) string { return "/" }, c.server(), c.memory(b, "/"))
}

// BenchmarkEscalationPage opens the user's cases in turn rather than one
// case: every opening audits a view, and one case opened a thousand times
// would carry a thousand events in its timeline. In turn, each case gains a
// few views a run (views are not shown on the page, so its bytes stay the
// same). The memory handler serves the first case's page.
func BenchmarkEscalationPage(b *testing.B) {
	s := loadBenchSite(b)
	s.bench(b, s.nextCase, s.server(), s.memory(b, s.casePath(0)))
}

// BenchmarkMemory is the floor: a handler that writes one real response of
// each page, headers and body, from memory.
func BenchmarkMemory(b *testing.B) {
	s := loadBenchSite(b)
	for _, pg := range []struct{ name, path string }{
		{"MyWork", "/"},
		{"EscalationPage", s.casePath(0)},
	} {
		b.Run(pg.name, func(b *testing.B) {
			s.bench(b, func(int) string { return pg.path }, s.memory(b, pg.path), nil)
		})
	}
}

func (s *benchSite) server() http.Handler { return s.srv }

func (s *benchSite) casePath(i int) string { return "/escalations/" + s.cases[i%len(s.cases)] }

// nextCase is the path of the next case in turn, carrying on across runs
// so that views spread over every case.
func (s *benchSite) nextCase(int) string {
	s.turn++
	return s.casePath(s.turn)
}

// request is a GET of path from the signed-in user's browser.
func (s *benchSite) request(path string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Cookie", s.cookie)
	r.Header.Set("Accept", "text/html")
	return r
}

// memory returns a handler that writes the response the server gave to
// one GET of path, captured on first use, so every benchmark of the binary
// serves the same bytes.
func (s *benchSite) memory(b *testing.B, path string) http.Handler {
	b.Helper()
	if h, ok := s.captured[path]; ok {
		return h
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, s.request(path))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d\n%.300s", path, rec.Code, rec.Body.String())
	}
	h := &memoryHandler{header: rec.Header().Clone(), body: slices.Clone(rec.Body.Bytes())}
	if s.captured == nil {
		s.captured = map[string]*memoryHandler{}
	}
	s.captured[path] = h
	return h
}

// memoryHandler writes a captured response.
type memoryHandler struct {
	header http.Header
	body   []byte
}

func (h *memoryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	maps.Copy(w.Header(), h.header)
	w.WriteHeader(http.StatusOK)
	w.Write(h.body)
}

// bench serves b.N requests, the path of the i-th from pathOf, through h,
// timing only ServeHTTP, and reports the percentiles of those times. With
// mem, it also serves mem once after each request, untimed by b, and
// reports x-memory.
func (s *benchSite) bench(b *testing.B, pathOf func(i int) string, h, mem http.Handler) {
	lat := make([]time.Duration, 0, b.N)
	var memTotal time.Duration
	size := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		req, rec := s.request(pathOf(i)), httptest.NewRecorder()
		b.StartTimer()
		t := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(t))
		b.StopTimer()
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d\n%.300s", req.URL.Path, rec.Code, rec.Body.String())
		}
		size = rec.Body.Len()
		if mem != nil {
			req, rec := s.request(req.URL.Path), httptest.NewRecorder()
			t := time.Now()
			mem.ServeHTTP(rec, req)
			memTotal += time.Since(t)
		}
		b.StartTimer()
	}
	b.StopTimer()
	var total time.Duration
	for _, d := range lat {
		total += d
	}
	slices.Sort(lat)
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
	b.ReportMetric(float64(size), "resp-B")
	if mem != nil && memTotal > 0 {
		b.ReportMetric(float64(total)/float64(memTotal), "x-memory")
	}
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*p + 99) / 100 // ceil(n·p/100), from 1
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
