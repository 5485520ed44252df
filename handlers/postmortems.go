package handlers

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/insights"
)

// PostmortemsPath is where the team's postmortems and figures are served: the page there, the same data as
// JSON at PostmortemsPath + ".json".
const PostmortemsPath = "/postmortems"

// handlePostmortems answers the page (asJSON false) or its JSON: 200 with the report of the postmortems
// of incidents resolved since ?since= (a date or an RFC 3339 time; every listed one without it), 400 for
// a since that is neither, 503 when Redis cannot be read.
func handlePostmortems(logger *slog.Logger, src insights.Source, asJSON bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		since, err := insights.ParseSince(c.QueryParam("since"))
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		r, err := insights.Load(c.Request().Context(), src, since, time.Now())
		if err != nil {
			logger.Error("read postmortems", "request_id", requestIDOf(c), "error", err)
			return echo.NewHTTPError(http.StatusServiceUnavailable, "cannot read the postmortems from Redis; try again")
		}
		h := c.Response().Header()
		// What the page shows is for the team only: no cache keeps it.
		h.Set(echo.HeaderCacheControl, "no-store")
		if asJSON {
			return c.JSON(http.StatusOK, r)
		}
		// The page runs no script and loads nothing from elsewhere; should text from an incident ever slip
		// past the template's escaping, the browser still runs none.
		h.Set(echo.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		jsonPath := PostmortemsPath + ".json"
		if !since.IsZero() {
			jsonPath += "?since=" + url.QueryEscape(c.QueryParam("since"))
		}
		var b bytes.Buffer
		if err := insights.WriteHTML(&b, r, jsonPath); err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, b.Bytes())
	}
}
