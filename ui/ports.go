package ui

import (
	"encoding/json"

	"github.com/feedscope/feedscope/session"
)

// The screens' narrow views of the controller: each gets what it uses, and none
// holds the App. *control.Controller satisfies all of them.

// profileSource reads profiles and their subscription tables.
type profileSource interface {
	Profile(name string) (session.Profile, bool)
	Subs(name string) []session.Sub
}

// subscriber changes a profile's subscriptions, connected or not.
type subscriber interface {
	profileSource
	Subscribe(profile string, spec json.RawMessage) (string, error)
	Replace(profile, id string, spec json.RawMessage) error
	Unsubscribe(profile, id string) error
}

// socketCommander also runs commands and raw frames on a connected profile.
type socketCommander interface {
	subscriber
	Live(profile string) bool
	Run(profile string, cmd session.Command) error
	SendRaw(profile string, frame []byte) error
}
