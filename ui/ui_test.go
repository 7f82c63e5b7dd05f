package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestOptionsDefaults(t *testing.T) {
	u := New(test.NewTempApp(t), &fakeAPI{}, Options{})
	defer u.Stop()
	if u.opts.RefreshEvery != 2*time.Second || u.Window().Title() != "Shardkeeper" {
		t.Errorf("defaults: every %v, title %q", u.opts.RefreshEvery, u.Window().Title())
	}
}

func TestStartPollsUntilStop(t *testing.T) {
	api := &fakeAPI{status: sampleStatus()}
	u := New(test.NewTempApp(t), api, Options{RefreshEvery: 5 * time.Millisecond, Title: "Test"})
	u.Start()
	u.Start() // a second Start must not start a second loop

	deadline := time.Now().Add(5 * time.Second)
	for {
		if n, _, _ := api.calls(); n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the refresh loop did not poll 3 times in 5s")
		}
		time.Sleep(time.Millisecond)
	}
	u.Stop()
	n, _, _ := api.calls()
	time.Sleep(30 * time.Millisecond)
	if m, _, _ := api.calls(); m != n {
		t.Errorf("polled %d more times after Stop", m-n)
	}
	requireText(t, u.Window(), "Protecting 1,234 files")
}
