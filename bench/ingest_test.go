package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/internal/benchstats"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// The ingest benchmarks send signed incident.annotated webhooks of about 2 KB to three receivers served
// over loopback TCP in the same process, one after the other, in rounds:
//
//   - bare: an Echo handler that reads the body and answers 202: what the HTTP stack costs;
//   - floor: the least a durable receiver can do: read the body, check the HMAC, one Redis round trip (SET NX
//     with an expiry), answer 202;
//   - hindsight: the service's own handler, queue and store, logging JSON to /dev/null as it would to
//     a collector.
//
// The load generator runs on the same cores as Redis and the receivers, so only the ratios of one run mean
// much on a shared machine.
const (
	ingestSecret      = "bench-secret-at-least-16-bytes"
	ingestConnections = 50
	ingestBodyBytes   = 2048
)

// ingestBody is PagerDuty's incident.annotated webhook (the recorded fixture) with its event ID and its
// incident ID replaced, spreading the deliveries over ingestIncidents incidents, and its note padded to
// about 2 KB, as a long note makes it.
type ingestBody struct {
	parts [][]byte // before the event ID, between it and the incident ID, after the incident ID
}

const ingestIncidents = 1000

func newIngestBody(tb testing.TB) ingestBody {
	tb.Helper()
	raw := payloads.PagerDuty(tb, "webhook-v3_incident.annotated_zulip-fixture.json")
	const eventID = `"01GI0KTE33V5QXBVIJDEVJFUNE"`
	const note = `"Running KILL on long-running queries from the reporting-service."`
	i := bytes.Index(raw, []byte(eventID))
	j := bytes.Index(raw, []byte(note))
	if i < 0 || j < 0 || j < i {
		tb.Fatal("the annotated fixture changed: event ID or note not found")
	}
	pad := ingestBodyBytes - len(raw)
	longNote := note[:len(note)-1] + string(bytes.Repeat([]byte(" Then checked the pool."), max(pad, 0)/23)) + `"`
	body := slices.Concat(raw[:j], []byte(longNote), raw[j+len(note):])
	const incidentID = `"id": "Q3B15VLMF3ASBD"`
	k := bytes.Index(body, []byte(incidentID))
	if k < i {
		tb.Fatal("the annotated fixture changed: incident ID not found after the event ID")
	}
	return ingestBody{parts: [][]byte{
		slices.Clone(body[:i+1]),
		slices.Clone(body[i+len(eventID)-1 : k+len(`"id": "`)]),
		slices.Clone(body[k+len(incidentID)-1:]),
	}}
}

// next returns the body of delivery n and its signature header.
func (b ingestBody) next(run string, n uint64) ([]byte, string) {
	id := fmt.Sprintf("01BENCH%s%019d", run, n)
	incident := fmt.Sprintf("QBENCH%04d", n%ingestIncidents)
	body := slices.Concat(b.parts[0], []byte(id), b.parts[1], []byte(incident), b.parts[2])
	return body, pagerduty.Sign(body, ingestSecret)
}

// receivers starts the three receivers on one Redis and returns their URLs by name.
func receivers(tb testing.TB) (map[string]string, redis.UniversalClient) {
	tb.Helper()
	hs, rdb := receiverHandlers(tb)
	urls := map[string]string{}
	for name, h := range hs {
		s := httptest.NewServer(h)
		tb.Cleanup(s.Close)
		urls[name] = s.URL + "/webhooks/pagerduty"
	}
	return urls, rdb
}

// receiverHandlers builds the three receivers over one Redis.
func receiverHandlers(tb testing.TB) (map[string]http.Handler, redis.UniversalClient) {
	tb.Helper()
	srv := queuetest.StartRedis(tb)
	rdb, err := redisstore.OpenRedis(srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = rdb.Close() })
	// Like a deployment, enough connections for every concurrent delivery.
	if c, ok := rdb.(*redis.Client); ok {
		c.Options().PoolSize = 4 * ingestConnections
	}

	bare := echo.New()
	bare.POST("/webhooks/pagerduty", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.NoContent(http.StatusAccepted)
	})

	floor := echo.New()
	secrets := []string{ingestSecret}
	floor.POST("/webhooks/pagerduty", func(c echo.Context) error {
		body, err := io.ReadAll(io.LimitReader(c.Request().Body, handlers.MaxBodyBytes+1))
		if err != nil {
			return err
		}
		if !pagerduty.VerifySignature(body, c.Request().Header.Get("X-PagerDuty-Signature"), secrets) {
			return c.NoContent(http.StatusUnauthorized)
		}
		key := "bench:floor:" + c.Request().Header.Get("X-Webhook-Id")
		if err := rdb.SetNX(c.Request().Context(), key, body, time.Hour).Err(); err != nil {
			return c.NoContent(http.StatusServiceUnavailable)
		}
		return c.NoContent(http.StatusAccepted)
	})

	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = devNull.Close() })
	logger := slog.New(slog.NewJSONHandler(devNull, nil))
	q := queue.New(rdb, redisstore.NewStore(rdb, 24*time.Hour), 12)
	tb.Cleanup(func() { _ = q.Close() })
	reg := prometheus.NewRegistry()
	hs := handlers.NewServer(logger, handlers.Config{PagerDutySecrets: secrets}, q,
		func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, reg, reg)

	return map[string]http.Handler{"bare": bare, "floor": floor, "hindsight": hs}, rdb
}

// BenchmarkIngestHandler calls each receiver's handler directly, one delivery at a time, without the
// network or the load generator: the CPU time a delivery costs the receiver and its wait for Redis.
//
//	go test -run XXX -bench IngestHandler -benchmem ./bench/
func BenchmarkIngestHandler(b *testing.B) {
	body := newIngestBody(b)
	hs, rdb := receiverHandlers(b)
	for _, name := range []string{"bare", "floor", "hindsight"} {
		b.Run(name, func(b *testing.B) {
			if err := rdb.FlushDB(context.Background()).Err(); err != nil {
				b.Fatal(err)
			}
			var n uint64
			b.ReportAllocs()
			for b.Loop() {
				n++
				bd, sig := body.next("h"+name[:1], n)
				req := httptest.NewRequest(http.MethodPost, "/webhooks/pagerduty", bytes.NewReader(bd))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-PagerDuty-Signature", sig)
				req.Header.Set("X-Webhook-Id", "h"+strconv.FormatUint(n, 10))
				rec := httptest.NewRecorder()
				hs[name].ServeHTTP(rec, req)
				if rec.Code != http.StatusAccepted {
					b.Fatalf("%s answered %d: %s", name, rec.Code, rec.Body)
				}
			}
		})
	}
}

// loadClient is an HTTP client keeping one connection per sender.
func loadClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DialContext: (&net.Dialer{KeepAlive: time.Minute}).DialContext,
	}, Timeout: 10 * time.Second}
}

// saturate sends deliveries through client from conns senders, each waiting for its answer before the
// next, for d, and returns the 202 answers per second, their count and how many answers were not 202.
func saturate(tb testing.TB, client *http.Client, url, run string, body ingestBody, conns int, d time.Duration) (perSecond float64, accepted, bad int64) {
	tb.Helper()
	var n, ok, notOK atomic.Uint64
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	began := time.Now()
	for range conns {
		wg.Go(func() {
			for time.Now().Before(stop) {
				seq := n.Add(1)
				b, sig := body.next(run, seq)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-PagerDuty-Signature", sig)
				req.Header.Set("X-Webhook-Id", run+strconv.FormatUint(seq, 10))
				resp, err := client.Do(req)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					notOK.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					ok.Add(1)
				} else {
					notOK.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Errorf("status %d", resp.StatusCode))
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	if e := firstErr.Load(); e != nil {
		tb.Logf("%s: first failure: %v", url, e)
	}
	return float64(ok.Load()) / elapsed.Seconds(), int64(ok.Load()), int64(notOK.Load())
}

// BenchmarkIngest measures the answers per second of the three receivers at 50 connections, in
// ingestRounds rounds of a short slice (HINDSIGHT_BENCH_INGEST_ROUND, 500 ms) against each, over connections
// kept open from one slice to the next. In a round the floor and Hindsight run back to back, taking turns to
// go first: on a shared machine whose speed changes from one second to the next, both meet the same moments.
// The ratio is each round's Hindsight rate over its floor rate, and the figure the median of the rounds'
// ratios, with their lowest decile beside it.
//
//	go test -run XXX -bench '^BenchmarkIngest$' -benchtime 1x ./bench/
func BenchmarkIngest(b *testing.B) {
	slice := envDuration(b, "HINDSIGHT_BENCH_INGEST_ROUND", 500*time.Millisecond)
	body := newIngestBody(b)
	for b.Loop() {
		urls, rdb := receivers(b)
		clients := map[string]*http.Client{}
		for name := range urls {
			c := loadClient(ingestConnections)
			b.Cleanup(c.CloseIdleConnections)
			clients[name] = c
		}
		rates := map[string][]float64{}
		redisUS := map[string][]float64{}
		var ratios []float64
		var bad int64
		for r := range ingestRounds {
			order := []string{"bare", "floor", "hindsight"}
			if r%2 == 1 {
				order = []string{"bare", "hindsight", "floor"}
			}
			for _, name := range order {
				if err := rdb.FlushDB(context.Background()).Err(); err != nil {
					b.Fatal(err)
				}
				if err := rdb.ConfigResetStat(context.Background()).Err(); err != nil {
					b.Fatal(err)
				}
				rate, n, notOK := saturate(b, clients[name], urls[name], fmt.Sprintf("%s%d", name[:1], r), body, ingestConnections, slice)
				rates[name] = append(rates[name], rate)
				if name == "hindsight" {
					bad += notOK
				}
				if n > 0 {
					redisUS[name] = append(redisUS[name], redisMicroseconds(b, rdb)/float64(n))
				}
			}
			ratios = append(ratios, rates["hindsight"][r]/rates["floor"][r])
		}
		b.ReportMetric(median(rates["bare"]), "bare-req/s")
		b.ReportMetric(median(rates["floor"]), "floor-req/s")
		b.ReportMetric(median(rates["hindsight"]), "hindsight-req/s")
		b.ReportMetric(median(ratios), "of-floor")
		b.ReportMetric(benchstats.Quantile(ratios, 0.1), "of-floor-p10")
		b.ReportMetric(float64(bad), "non-202")
		b.ReportMetric(median(redisUS["floor"]), "floor-redis-µs/req")
		b.ReportMetric(median(redisUS["hindsight"]), "hindsight-redis-µs/req")
		b.Logf("req/s by round: bare %v, floor %v, hindsight %v; of the floor %v", round0(rates["bare"]),
			round0(rates["floor"]), round0(rates["hindsight"]), round2(ratios))
	}
}

// ingestRounds is how many rounds BenchmarkIngest runs: enough for a median that a few slow seconds of the
// machine do not move.
const ingestRounds = 24

// redisMicroseconds is the time Redis spent running commands since its statistics were last reset (INFO
// commandstats), less the commands this benchmark itself sent (FLUSHDB, CONFIG, INFO).
func redisMicroseconds(tb testing.TB, rdb redis.UniversalClient) float64 {
	tb.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") || name == "cmdstat_flushdb" || name == "cmdstat_config" || name == "cmdstat_info" {
			continue
		}
		for _, kv := range strings.Split(stats, ",") {
			if v, ok := strings.CutPrefix(kv, "usec="); ok {
				us, _ := strconv.ParseFloat(v, 64)
				total += us
			}
		}
	}
	return total
}

// BenchmarkIngestLatency sends webhooks at a constant 1,000 a second (vegeta) to the floor receiver and to
// Hindsight, in three interleaved rounds each, and reports the answer times' quantiles of each over all its
// rounds, and the median of its rounds' p99 (less swayed by one noisy moment of a shared machine).
//
//	go test -run XXX -bench IngestLatency -benchtime 1x ./bench/
func BenchmarkIngestLatency(b *testing.B) {
	round := envDuration(b, "HINDSIGHT_BENCH_LATENCY_ROUND", 5*time.Second)
	body := newIngestBody(b)
	for b.Loop() {
		urls, rdb := receivers(b)
		all := map[string][]time.Duration{}
		p99s := map[string][]float64{}
		codes := map[string]map[int]int{"floor": {}, "hindsight": {}}
		for r := range 3 {
			for _, name := range []string{"floor", "hindsight"} {
				if err := rdb.FlushDB(context.Background()).Err(); err != nil {
					b.Fatal(err)
				}
				lat, c := constantRate(b, urls[name], fmt.Sprintf("%s%d", name, r), body, 1000, round)
				all[name] = append(all[name], lat...)
				p99s[name] = append(p99s[name], benchstats.Ms(benchstats.Quantile(lat, 0.99)))
				for code, n := range c {
					codes[name][code] += n
				}
			}
		}
		for _, name := range []string{"floor", "hindsight"} {
			lat := all[name]
			b.ReportMetric(benchstats.Ms(benchstats.Quantile(lat, 0.50)), name+"-p50-ms")
			b.ReportMetric(benchstats.Ms(benchstats.Quantile(lat, 0.99)), name+"-p99-ms")
			b.ReportMetric(median(p99s[name]), name+"-median-round-p99-ms")
			b.ReportMetric(benchstats.Ms(benchstats.Quantile(lat, 1)), name+"-max-ms")
			non := 0
			for code, n := range codes[name] {
				if code != http.StatusAccepted {
					non += n
				}
			}
			b.ReportMetric(float64(non), name+"-non-202")
			b.Logf("%s: %d requests at 1000/s, status codes %v, p99 by round %v ms", name, len(lat), codes[name], p99s[name])
		}
	}
}

// constantRate attacks url at rate a second for d and returns every answer's latency and the status codes.
func constantRate(tb testing.TB, url, run string, body ingestBody, rate int, d time.Duration) ([]time.Duration, map[int]int) {
	tb.Helper()
	var seq atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		n := seq.Add(1)
		b, sig := body.next("v"+run, n)
		t.Method, t.URL, t.Body = http.MethodPost, url, b
		t.Header = http.Header{"Content-Type": {"application/json"}, "X-Pagerduty-Signature": {sig},
			"X-Webhook-Id": {run + strconv.FormatUint(n, 10)}}
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Connections(ingestConnections), vegeta.Timeout(10*time.Second))
	var lat []time.Duration
	codes := map[int]int{}
	for res := range atk.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, d, run) {
		lat = append(lat, res.Latency)
		codes[int(res.Code)]++
	}
	return lat, codes
}
