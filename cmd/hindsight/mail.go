package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/internal/httpclient"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// newSender wires the mails of merged postmortems: nil without HINDSIGHT_SMTP_URL, and in a dry run, where
// nothing merges. Each mail's lists come from rules, the rules in force (the postmortem repository's over
// the service's).
func newSender(cfg config, rdb redis.UniversalClient, publisher postmortem.Publisher, notes postmortem.NoteWriter, rules postmortem.Rules,
	reg prometheus.Registerer, logger *slog.Logger) (*distribution.Sender, error) {
	files, ok := publisher.(distribution.FileReader)
	if cfg.SMTPURL == "" || !ok || !cfg.githubEnabled() {
		return nil, nil
	}
	smtp, err := distribution.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, bad("HINDSIGHT_SMTP_URL", "%v", err)
	}
	transport, err := distribution.NewSMTP(smtp, distribution.SMTPOptions{})
	if err != nil {
		return nil, bad("HINDSIGHT_SMTP_URL", "%v", err)
	}
	return &distribution.Sender{
		Files:      files,
		Transport:  transport,
		Log:        redisstore.NewMailLog(rdb, 0),
		Notes:      notes,
		Chat:       &distribution.Chat{Client: &http.Client{Transport: httpclient.Transport()}},
		From:       smtp.From,
		FromDomain: smtp.FromDomain(),
		Settings:   cfg.Distribution,
		Rules:      rules,
		Metrics:    distribution.NewMetrics(reg),
		Logger:     logger,
	}, nil
}
