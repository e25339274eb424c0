package bus

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the bus does. A nil registerer keeps them unregistered.
type Metrics struct {
	publishedTotal  *prometheus.CounterVec
	publishDuration *prometheus.HistogramVec
	handledTotal    *prometheus.CounterVec
	handleDuration  *prometheus.HistogramVec
}

// NewMetrics creates the bus metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		publishedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bifrost_bus_published_total",
			Help: "Messages published, by topic and outcome (ok, error).",
		}, []string{"topic", "outcome"}),
		publishDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bifrost_bus_publish_duration_seconds",
			Help:    "Time to publish a message, including the broker's confirm.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"topic"}),
		handledTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bifrost_bus_handled_total",
			Help: "Message handler outcomes, by topic: ok, error, retried, dead_lettered, requeued.",
		}, []string{"topic", "outcome"}),
		handleDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bifrost_bus_handle_duration_seconds",
			Help:    "Time spent in message handlers, by topic.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"topic"}),
	}
	if reg != nil {
		reg.MustRegister(m.publishedTotal, m.publishDuration, m.handledTotal, m.handleDuration)
	}
	return m
}

func (m *Metrics) published(topic, outcome string, d time.Duration) {
	m.publishedTotal.WithLabelValues(topic, outcome).Inc()
	if outcome == "ok" {
		m.publishDuration.WithLabelValues(topic).Observe(d.Seconds())
	}
}

func (m *Metrics) handled(topic, outcome string, d time.Duration) {
	m.handledTotal.WithLabelValues(topic, outcome).Inc()
	if d > 0 {
		m.handleDuration.WithLabelValues(topic).Observe(d.Seconds())
	}
}
