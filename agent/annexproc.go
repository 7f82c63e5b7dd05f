package agent

import "github.com/shardkeeper/shardkeeper/agent/annexproc"

// Tools are the external programs the agent drives (agent/annexproc).
type Tools = annexproc.Tools
