package main

// publishRepos are the repositories Hindsight publishes to: the configured one and every route's.
func (c *config) publishRepos() []string {
	repos := []string{c.GitHub.Repo}
	for _, r := range c.Routes {
		if r.Repo != "" {
			repos = append(repos, r.Repo)
		}
	}
	return repos
}
