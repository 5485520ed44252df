package lifecycle

import (
	"context"
	"encoding/json"

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
