package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/queue"
)

// delivery is one webhook request being received: what both receivers do the same way, for their source
// ("pagerduty", "github").
type delivery struct {
	source string
	c      echo.Context
	m      *metrics
	line   *deliveryLine
}

// deliveryLine is what the access log says of a delivery: one line per delivery, with the request's own
// fields, at the level and with the message of what became of it.
type deliveryLine struct {
	level slog.Level
	msg   string
	attrs []slog.Attr
}

// newDelivery starts a delivery whose line the access log writes, with attrs (the delivery's IDs). The line
// is kept with the request, which has room for the IDs, the event's fields and the outcome.
func newDelivery(source string, c echo.Context, m *metrics, attrs ...slog.Attr) delivery {
	line := &deliveryLine{}
	if r := requestOf(c); r != nil {
		line = &r.line
	}
	line.attrs = append(line.attrs, attrs...)
	return delivery{source: source, c: c, m: m, line: line}
}

// with adds fields to the delivery's line.
func (d delivery) with(attrs ...slog.Attr) { d.line.attrs = append(d.line.attrs, attrs...) }

func (d delivery) say(level slog.Level, msg string, attrs ...slog.Attr) {
	d.line.level, d.line.msg = level, d.source+" webhook "+msg
	d.with(attrs...)
}

// reject answers a delivery that cannot be taken, counting and logging why.
func (d delivery) reject(status int, msg string) error {
	d.m.delivery(d.source, "rejected")
	d.say(slog.LevelWarn, "rejected", slog.String("reason", msg))
	return echo.NewHTTPError(status, msg)
}

// body reads the raw body, as signed, refusing one over MaxBodyBytes.
func (d delivery) body() ([]byte, error) {
	r := d.c.Request()
	body, err := readAll(io.LimitReader(r.Body, MaxBodyBytes+1), r.ContentLength)
	if err != nil {
		return nil, d.reject(http.StatusBadRequest, "read body: "+err.Error())
	}
	if len(body) > MaxBodyBytes {
		return nil, d.reject(http.StatusRequestEntityTooLarge, "body is larger than 1 MiB")
	}
	return body, nil
}

// readAll is io.ReadAll starting from the size the request announced (and a byte to see its end), so that
// a body is read into one allocation rather than a slice grown from 512 bytes.
func readAll(r io.Reader, announced int64) ([]byte, error) {
	size := 512
	if announced > 0 && announced <= MaxBodyBytes {
		size = int(announced) + 1
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// accept hands the delivery to the queue within timeout and answers 202 once it is durable, or 503 asking
// for it again (again says how: PagerDuty delivers again by itself, GitHub needs a person to redeliver).
func (d delivery) accept(timeout time.Duration, again string, take func(ctx context.Context) (queue.Outcome, error)) error {
	ctx, cancel := context.WithTimeout(d.c.Request().Context(), timeout)
	defer cancel()
	outcome, err := take(ctx)
	if err != nil {
		d.m.delivery(d.source, "unavailable")
		d.say(slog.LevelError, "not stored", slog.String("error", err.Error()))
		if errors.Is(err, context.DeadlineExceeded) {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the queue did not answer in time; "+again)
		}
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the queue cannot take the event now; "+again)
	}
	return d.answer(outcome)
}

// answers are the bodies of the 202 answers by outcome: the outcomes are a few plain words, so the answers
// are written once, not through an encoder on every delivery.
var answers = func() map[queue.Outcome][]byte {
	a := map[queue.Outcome][]byte{}
	for _, o := range []queue.Outcome{queue.Enqueued, queue.Stored, queue.Duplicate, queue.Ignored} {
		a[o] = []byte(`{"status":"` + string(o) + `"}` + "\n")
	}
	return a
}()

// answer says 202 with what became of the delivery.
func (d delivery) answer(outcome queue.Outcome) error {
	d.m.delivery(d.source, string(outcome))
	d.say(slog.LevelInfo, "accepted", slog.String("outcome", string(outcome)))
	body, ok := answers[outcome]
	if !ok {
		body = []byte(`{"status":"` + string(outcome) + `"}` + "\n")
	}
	return d.c.JSONBlob(http.StatusAccepted, body)
}
