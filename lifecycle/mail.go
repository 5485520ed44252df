package lifecycle

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// mailMerged schedules the mails of a merged pull request of rec's incident: the postmortem to the internal
// list when it is the postmortem's own pull request, and the customer version, when the merged commit holds
// one, to the customer list.
func (j *jobs) mailMerged(ctx context.Context, rec redisstore.Record, number int, sha string) error {
	if sha == "" {
		return nil
	}
	m := postmortem.Mailing{IncidentID: rec.IncidentID, Repo: rec.Repo, Ref: sha, PullURL: rec.PullURL,
		IncidentNumber: rec.IncidentNumber, IncidentTitle: rec.IncidentTitle, IncidentURL: rec.IncidentURL,
		Priority: rec.Priority, Urgency: rec.Urgency, Service: postmortem.Service{ID: rec.ServiceID, Name: rec.ServiceName},
		Teams: teamsOf(rec.Teams), Owner: rec.Owner}
	if number != rec.PullNumber {
		m.PullURL = postmortem.SiblingPullURL(rec.PullURL, number)
	} else {
		internal := m
		internal.Audience, internal.Path = postmortem.AudienceInternal, rec.Path
		if err := j.mail.ScheduleMail(ctx, internal); err != nil {
			return err
		}
	}
	m.Audience, m.Path = postmortem.AudienceCustomers, postmortem.PublicPath(rec.Path)
	return j.mail.ScheduleMail(ctx, m)
}

// otherMerged mails the customer version merged by a pull request of a postmortem's incident other than
// the postmortem's own: one on a branch named for the incident ("postmortem/ID-…"), or one recorded under
// the incident.
func (j *jobs) otherMerged(ctx context.Context, log *slog.Logger, d PullRequestEvent) error {
	id, ok := incidentOfBranch(d.HeadRef)
	if !ok {
		var err error
		if id, ok, err = j.store.IncidentOfPull(ctx, d.Repo, d.Number); err != nil {
			return err
		}
	}
	var rec redisstore.Record
	if ok {
		var err error
		if rec, ok, err = j.store.LoadRecord(ctx, id); err != nil {
			return err
		}
	}
	if !ok || !strings.EqualFold(rec.Repo, d.Repo) {
		log.Info("not a postmortem Hindsight opened; ignored")
		return nil
	}
	return j.mailMerged(ctx, rec, d.Number, d.HeadSHA)
}

// incidentOfBranch returns the incident a branch is named for: "postmortem/ID", or a branch of the same
// incident such as "postmortem/ID-public" or "postmortem/ID/public".
func incidentOfBranch(branch string) (string, bool) {
	rest, ok := postmortem.IncidentFromBranch(branch)
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "-/"); i >= 0 {
		rest = rest[:i]
	}
	return rest, postmortem.ValidIncidentID(rest)
}

// teamsJSON keeps an incident's teams in its record, for the lists chosen by team when its postmortem
// merges.
func teamsJSON(teams []postmortem.Team) string {
	if len(teams) == 0 {
		return ""
	}
	b, err := json.Marshal(teams)
	if err != nil {
		return ""
	}
	return string(b)
}

func teamsOf(s string) []postmortem.Team {
	var teams []postmortem.Team
	if s != "" {
		_ = json.Unmarshal([]byte(s), &teams) // a record without teams matches no team's lists
	}
	return teams
}
