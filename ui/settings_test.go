package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestSettingsLoadEditSave(t *testing.T) {
	saved := control.Settings{
		Limits:        control.Limits{MaxBytes: 1},
		BandwidthKBps: 500, Schedule: "01:00-07:00", OffHoursKBps: 0,
		PauseOnBattery: true, DisplayName: "Ann", VerifyEveryDays: 30,
	}
	api := &fakeAPI{status: sampleStatus(), settings: saved}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	selectTab(u, 4)
	w := u.Window()
	st := u.view.settings

	requireText(t, w, "/home/donor/Shardkeeper · main folder")
	if st.bandwidth.Text != "500" || st.schedule.Text != "01:00-07:00" || !st.battery.Checked || st.name.Text != "Ann" || st.board.Checked {
		t.Fatalf("form does not show the settings: bandwidth %q schedule %q battery %v name %q board %v",
			st.bandwidth.Text, st.schedule.Text, st.battery.Checked, st.name.Text, st.board.Checked)
	}

	st.bandwidth.SetText("")
	st.schedule.SetText("bedtime")
	test.Tap(st.metered)
	test.Tap(st.login)
	test.Tap(st.board)
	test.Tap(findButton(t, w, "Save"))
	if len(api.updated) != 0 {
		t.Fatal("saved an invalid schedule")
	}
	requireText(t, w, "Check the settings: use HH:MM-HH:MM, e.g. 01:00-07:00")

	st.schedule.SetText("22:30-06:00")
	test.Tap(findButton(t, w, "Save"))
	want := saved
	want.Limits = sampleStatus().Budget.Limits // Space owns the limits: the latest win
	want.BandwidthKBps, want.Schedule = 0, "22:30-06:00"
	want.PauseOnMetered, want.StartAtLogin, want.ShowOnBoard = true, true, true
	if len(api.updated) != 1 || !reflect.DeepEqual(api.updated[0], want) {
		t.Fatalf("UpdateSettings %+v, want %+v", api.updated, want)
	}
	requireText(t, w, "Saved.")

	st.name.SetText("Someone else")
	test.Tap(findButton(t, w, "Revert"))
	if st.name.Text != "Ann" {
		t.Errorf("Revert left the name %q", st.name.Text)
	}
}

func TestSettingsValidators(t *testing.T) {
	for _, tc := range []struct {
		check func(string) error
		in    string
		ok    bool
	}{
		{validKBps, "", true}, {validKBps, "250", true}, {validKBps, "-1", false}, {validKBps, "fast", false},
		{validDays, "30", true}, {validDays, "0", false}, {validDays, "400", false},
		{validSchedule, "", true}, {validSchedule, "01:00-07:00", true}, {validSchedule, "23:59-00:00", true},
		{validSchedule, "24:00-01:00", false}, {validSchedule, "1:00-7:00", false},
	} {
		if err := tc.check(tc.in); (err == nil) != tc.ok {
			t.Errorf("%q: error %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}
