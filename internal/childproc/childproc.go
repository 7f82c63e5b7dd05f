// Package childproc ties the git and git-annex processes Shardkeeper
// starts to its own life: when the agent or the hub dies (SIGKILL, the
// OOM killer, a crash), they end too instead of writing on in a
// repository that a restarted agent is already working in.
package childproc
