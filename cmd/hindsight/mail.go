package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/internal/httpclient"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// newMailHandler wires the mails of merged postmortems: nil without HINDSIGHT_SMTP_URL.
func newMailHandler(cfg config, rdb redis.UniversalClient, files distribution.FileReader, notes distribution.NoteWriter, reg prometheus.Registerer, logger *slog.Logger) (*queue.MailHandler, error) {
	if cfg.SMTPURL == "" {
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
	s := &distribution.Sender{
		Files:      files,
		Transport:  transport,
		Log:        redisstore.NewMailLog(rdb, 0),
		Notes:      notes,
		Chat:       &distribution.Chat{Client: &http.Client{Transport: httpclient.Transport()}},
		From:       smtp.From,
		FromDomain: smtp.FromDomain(),
		Settings:   cfg.Distribution,
		Policy:     cfg.Policy,
		Routes:     cfg.Routes,
		People:     cfg.People,
		Metrics:    distribution.NewMetrics(reg),
		Logger:     logger,
	}
	return &queue.MailHandler{Sender: s, Logger: logger}, nil
}
