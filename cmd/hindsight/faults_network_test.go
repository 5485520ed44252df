package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/collectors"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

// faultProxy is a toxiproxy proxy run in the test's process, between Hindsight and one of its peers.
type faultProxy struct {
	t *testing.T
	p *toxiproxy.Proxy
}

func startFaultProxy(t *testing.T, name, upstream string) *faultProxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	srv.Metrics.ProxyMetrics = collectors.NewProxyMetricCollectors()
	p := toxiproxy.NewProxy(srv, name, "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return &faultProxy{t: t, p: p}
}

func (f *faultProxy) Addr() string { return f.p.Listen }

// add sets a toxic ("latency", "reset_peer", "timeout") on both directions.
func (f *faultProxy) add(name, typ, attributes string) {
	f.t.Helper()
	for _, stream := range []string{"upstream", "downstream"} {
		js := fmt.Sprintf(`{"name":%q,"type":%q,"stream":%q,"toxicity":1,"attributes":%s}`, name+"-"+stream, typ, stream, attributes)
		if _, err := f.p.Toxics.AddToxicJson(strings.NewReader(js)); err != nil {
			f.t.Fatalf("toxic %s: %v", name, err)
		}
	}
}

func (f *faultProxy) remove(name string) {
	f.t.Helper()
	for _, stream := range []string{"upstream", "downstream"} {
		if err := f.p.Toxics.RemoveToxic(context.Background(), name+"-"+stream); err != nil {
			f.t.Fatalf("remove toxic %s: %v", name, err)
		}
	}
}

// TestFaultNetworkBetweenHindsightAndRedisOrGitHub puts toxiproxy between Hindsight and Redis and between
// Hindsight and GitHub, and goes through latency, connection resets (GitHub's, then Redis's) and a Redis
// that stops answering, while incidents are resolved: every incident ends with one pull request and one
// back-link note, and no action item has two issues.
func TestFaultNetworkBetweenHindsightAndRedisOrGitHub(t *testing.T) {
	redis := startAOFRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	ids := incidentIDs("NET", 6)
	addIncidents(pd, ids...)
	addActionItems(pd, 2, ids...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	toRedis := startFaultProxy(t, "redis", redis.Addr())
	toGitHub := startFaultProxy(t, "github", strings.TrimSuffix(strings.TrimPrefix(gh.URL(), "http://"), "/"))
	env := faultEnv(t, "redis://"+toRedis.Addr()+"/0", pd, gh, "")
	env["HINDSIGHT_GITHUB_API_URL"] = "http://" + toGitHub.Addr() + "/"
	svc := startService(t, env)
	resolve := func(i int) {
		deliverUntilAccepted(t, svc.addr, resolvedEvent(ids[i], "EV"+ids[i], i+1), "W"+ids[i], svc.logs)
	}

	// Slow links: everything still works, and webhooks are answered in time.
	toRedis.add("slow", "latency", `{"latency":40,"jitter":20}`)
	toGitHub.add("slow", "latency", `{"latency":60,"jitter":30}`)
	start := time.Now()
	resolve(0)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("webhook answered after %s over a slow Redis, beyond PagerDuty's 5 s", took)
	}
	resolve(1)

	// GitHub connections reset mid-flight: requests may be done by GitHub with the answer lost.
	toGitHub.add("reset", "reset_peer", `{"timeout":80}`)
	resolve(2)
	eventually(t, "a GitHub connection reset", func() bool {
		return strings.Contains(svc.logs.String(), "connection reset by peer")
	}, svc.logs)
	toGitHub.remove("reset")

	// Redis connections reset too, while the pipelines of the incidents above run.
	toRedis.add("reset", "reset_peer", `{"timeout":60}`)
	time.Sleep(time.Second)
	toRedis.remove("reset")

	// Redis stops answering (a partition): webhooks are refused, not lost; PagerDuty delivers again.
	toRedis.add("partition", "timeout", `{"timeout":0}`)
	if status := deliverPagerDuty(svc.addr, resolvedEvent(ids[3], "EV"+ids[3], 4), "W"+ids[3]); status == http.StatusAccepted {
		t.Errorf("a webhook was answered 202 while Redis was unreachable")
	}
	time.Sleep(time.Second)
	toRedis.remove("partition")
	for i := 3; i < len(ids); i++ {
		resolve(i)
	}
	toRedis.remove("slow")
	toGitHub.remove("slow")

	wantExactlyOnce(t, pd, gh, svc.logs, ids...)
	wantOneIssuePerItem(t, gh, 2, svc.logs, ids...)
}
