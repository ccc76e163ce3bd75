// Package metrics exposes Escalate's Prometheus metrics: HTTP requests by
// route pattern, the outbox, the scheduler, open escalations and overdue
// clocks per partnership, and the database pool. No label ever holds
// personal data: routes are patterns ("GET /escalations/{ref}"), never
// paths, and partnerships are named by their key. cmd/escalate serves them
// on a listener of their own (--metrics-addr); doc/operations.md lists the
// alerts to set.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source is what the gauges read from the database at each scrape;
// *sqlstore.DB implements it.
type Source interface {
	// OutboxGauges counts pending and dead (undelivered) notifications and
	// says when the oldest pending one was created (zero for none).
	OutboxGauges(ctx context.Context) (pending, dead int64, oldest time.Time, err error)
	// OpenEscalations counts open escalations by partnership key.
	OpenEscalations(ctx context.Context) (map[string]int64, error)
	// OverdueByPartnership counts running clocks past their deadline at now, by
	// partnership key.
	OverdueByPartnership(ctx context.Context, now time.Time) (map[string]int64, error)
	// SchedulerLag is how long the most overdue running clock without an
	// overdue notice has been due at now: the scheduler's backlog (0 for none).
	SchedulerLag(ctx context.Context, now time.Time) (time.Duration, error)
	// Stats is the connection pool's state.
	Stats() sql.DBStats
}

// Metrics holds the service's collectors on a registry of its own.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	passes   *prometheus.HistogramVec
	lastPass prometheus.Gauge
}

// New returns the metrics of a service whose database is src (nil for
// none: only the HTTP, scheduler and process metrics), and log for scrape
// failures.
func New(src Source, log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "escalate_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "escalate_http_request_duration_seconds",
		Help:    "How long HTTP requests took to answer, by route pattern and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.passes = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "escalate_scheduler_pass_duration_seconds",
		Help:    "How long each pass of the reminders-and-overdue scheduler took, by result (ok or error).",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"result"})
	m.lastPass = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "escalate_scheduler_last_pass_timestamp_seconds",
		Help: "When this instance's scheduler last finished a pass that succeeded (Unix time).",
	})
	m.reg.MustRegister(m.requests, m.latency, m.passes, m.lastPass,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newBuildCollector())
	if src != nil {
		if log == nil {
			log = slog.Default()
		}
		m.reg.MustRegister(&dbCollector{src: src, log: log})
	}
	return m
}

// ObserveRequest counts one answered request. route is the pattern the
// request matched ("" for none), never its path.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// ObserveSchedulerPass records one scheduler pass.
func (m *Metrics) ObserveSchedulerPass(took time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	} else {
		m.lastPass.SetToCurrentTime()
	}
	m.passes.WithLabelValues(result).Observe(took.Seconds())
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
