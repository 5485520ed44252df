package httpclient_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/httpclient"
)

func TestTimeoutBoundsTheWholeCallOnlyWhenSet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		time.Sleep(300 * time.Millisecond) // headers came at once: only a whole-call timeout ends this
		_, _ = w.Write([]byte("late body"))
	}))
	t.Cleanup(srv.Close)

	get := func(c *http.Client) error {
		resp, err := c.Get(srv.URL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	var timeout interface{ Timeout() bool }
	if err := get(httpclient.New(50 * time.Millisecond)); !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Errorf("with a 50ms timeout: %v, want a timeout", err)
	}
	if err := get(httpclient.New(0)); err != nil {
		t.Errorf("without a timeout: %v", err)
	}
}
