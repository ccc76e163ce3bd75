package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/prometheus/client_golang/prometheus"
)

// dbCollector reads the database's gauges at each scrape, so every
// instance reports the same service-wide figures: alert on their max.
type dbCollector struct {
	src Source
	log *slog.Logger
}

var (
	descOutboxPending = prometheus.NewDesc("escalate_outbox_pending",
		"Notifications waiting to be sent (the outbox's depth).", nil, nil)
	descOutboxOldest = prometheus.NewDesc("escalate_outbox_oldest_pending_age_seconds",
		"How long the oldest notification waiting to be sent has waited; 0 when none waits.", nil, nil)
	descOutboxDead = prometheus.NewDesc("escalate_outbox_undelivered",
		"Notifications given up on: the undelivered list.", nil, nil)
	descOpen = prometheus.NewDesc("escalate_open_escalations",
		"Open escalations, by partnership key.", []string{"partnership"}, nil)
	descOverdue = prometheus.NewDesc("escalate_overdue_clocks",
		"Running clocks past their deadline, by partnership key.", []string{"partnership"}, nil)
	descLag = prometheus.NewDesc("escalate_scheduler_lag_seconds",
		"How long the most overdue clock still without an overdue prompt has been due: the scheduler's backlog.", nil, nil)
	descPoolOpen = prometheus.NewDesc("escalate_db_connections_open",
		"Database connections open in this instance's pool.", nil, nil)
	descPoolMax = prometheus.NewDesc("escalate_db_connections_max",
		"The most database connections this instance's pool may open (0: no limit).", nil, nil)
	descPoolInUse = prometheus.NewDesc("escalate_db_connections_in_use",
		"Database connections of this instance's pool in use.", nil, nil)
	descPoolIdle = prometheus.NewDesc("escalate_db_connections_idle",
		"Database connections of this instance's pool idle.", nil, nil)
	descPoolWaits = prometheus.NewDesc("escalate_db_connection_waits_total",
		"Times this instance waited for a free database connection.", nil, nil)
	descPoolWaited = prometheus.NewDesc("escalate_db_connection_wait_seconds_total",
		"Time this instance spent waiting for a free database connection.", nil, nil)
	descScrapeErr = prometheus.NewDesc("escalate_metrics_scrape_errors",
		"1 when a database gauge could not be read at this scrape.", []string{"gauge"}, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutboxPending, descOutboxOldest, descOutboxDead, descOpen,
		descOverdue, descLag, descPoolOpen, descPoolMax, descPoolInUse, descPoolIdle, descPoolWaits, descPoolWaited, descScrapeErr} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := time.Now()
	failed := func(gauge string, err error) {
		c.log.Warn("metrics: reading a gauge", "gauge", gauge, "err", err)
		ch <- prometheus.MustNewConstMetric(descScrapeErr, prometheus.GaugeValue, 1, gauge)
	}
	if pending, dead, oldest, err := c.src.OutboxGauges(ctx); err != nil {
		failed("outbox", err)
	} else {
		age := 0.0
		if !oldest.IsZero() {
			age = max(now.Sub(oldest).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(descOutboxPending, prometheus.GaugeValue, float64(pending))
		ch <- prometheus.MustNewConstMetric(descOutboxOldest, prometheus.GaugeValue, age)
		ch <- prometheus.MustNewConstMetric(descOutboxDead, prometheus.GaugeValue, float64(dead))
	}
	byPartnership := func(desc *prometheus.Desc, gauge string, counts map[string]int64, err error) {
		if err != nil {
			failed(gauge, err)
			return
		}
		for key, n := range counts {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n), key)
		}
	}
	open, err := c.src.OpenEscalations(ctx)
	byPartnership(descOpen, "open_escalations", open, err)
	overdue, err := c.src.OverdueByPartnership(ctx, now)
	byPartnership(descOverdue, "overdue_clocks", overdue, err)
	if lag, err := c.src.SchedulerLag(ctx, now); err != nil {
		failed("scheduler_lag", err)
	} else {
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, lag.Seconds())
	}
	s := c.src.Stats()
	ch <- prometheus.MustNewConstMetric(descPoolOpen, prometheus.GaugeValue, float64(s.OpenConnections))
	ch <- prometheus.MustNewConstMetric(descPoolMax, prometheus.GaugeValue, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(descPoolInUse, prometheus.GaugeValue, float64(s.InUse))
	ch <- prometheus.MustNewConstMetric(descPoolIdle, prometheus.GaugeValue, float64(s.Idle))
	ch <- prometheus.MustNewConstMetric(descPoolWaits, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(descPoolWaited, prometheus.CounterValue, s.WaitDuration.Seconds())
}

// buildCollector is escalate_build_info: 1, labelled with the release and
// commit, so a dashboard shows which build each instance runs.
type buildCollector struct{ desc *prometheus.Desc }

func newBuildCollector() *buildCollector {
	return &buildCollector{prometheus.NewDesc("escalate_build_info",
		"The running build: always 1, labelled with its release and commit.", []string{"version", "commit"}, nil)}
}

func (b *buildCollector) Describe(ch chan<- *prometheus.Desc) { ch <- b.desc }

func (b *buildCollector) Collect(ch chan<- prometheus.Metric) {
	info := escalate.Build()
	ch <- prometheus.MustNewConstMetric(b.desc, prometheus.GaugeValue, 1, info.Version, info.Commit)
}
