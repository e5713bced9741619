"""Reports: the result tree rendered for people (terminal) and machines (JSON), plus plugins."""
